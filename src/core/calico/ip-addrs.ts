// The pod annotation `cni.projectcalico.org/ipAddrs`: a JSON list of the addresses a pod must
// get (at most one IPv4 and one IPv6). The CNI plugin then asks IPAM for exactly those
// (cni-plugin/pkg/k8s/k8s.go ipAddrsResult, validateAndExtractIPs; lib/ipam/ipam.go AssignIP),
// bypassing pool choice. Messages are the plugin's.
import { isV4, parseIP } from '../net/cidr.js';

export const IPADDRS_ANNOTATION = 'cni.projectcalico.org/ipAddrs';

/** The IPv4 address the annotation asks for, or the plugin's error. */
export function parseIpAddrsAnnotation(
  value: string,
): { v4?: string; v6?: string } | { error: string } {
  const name = `"${IPADDRS_ANNOTATION}"`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (e) {
    return {
      error: `failed to parse IPs ${value} for annotation ${name}: ${(e as Error).message}`,
    };
  }
  if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== 'string'))
    return {
      error: `failed to parse IPs ${value} for annotation ${name}: not a JSON list of strings`,
    };
  if (parsed.length === 0) return { error: `annotation ${name} specified but empty` };
  const out: { v4?: string; v6?: string } = {};
  for (const ip of parsed as string[]) {
    const addr = parseIP(ip);
    if (!addr) return { error: `invalid IP format: ${ip}` };
    if (isV4(addr)) {
      if (out.v4) return { error: `cannot have more than one IPv4 address for ${name} annotation` };
      out.v4 = ip;
    } else {
      if (out.v6) return { error: `cannot have more than one IPv6 address for ${name} annotation` };
      out.v6 = ip;
    }
  }
  return out;
}
