// Which pools may give a pod its IPv4 address, by Calico's rules (lib/ipam determinePools and
// the CNI plugin's resolvePools): the `cni.projectcalico.org/ipv4pools` annotation (JSON list of
// pool names or CIDRs) narrows the choice to those pools and bypasses nodeSelector; otherwise
// every enabled IPv4 pool whose nodeSelector matches the node, that allows Workload and is not
// Manual. Nodes carry the implicit label kubernetes.io/hostname=<name>.
import type { IPPool } from '../model/calico.js';
import type { LabNode, LabPod } from '../model/lab.js';
import { cidrToString, parseCidr } from '../net/cidr.js';
import { poolVersion } from './ippool.js';
import { matchesSelector } from './selector.js';

export const IPV4POOLS_ANNOTATION = 'cni.projectcalico.org/ipv4pools';
/** The CNI plugin's IPv6 twin of ipv4pools (cni-plugin/pkg/ipamplugin: same rules, IPv6 pools). */
export const IPV6POOLS_ANNOTATION = 'cni.projectcalico.org/ipv6pools';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** Node labels as selectors see them (the hostname label is always there). */
export function nodeSelectorLabels(node: Pick<LabNode, 'name' | 'labels'>): Record<string, string> {
  return { ...node.labels, [HOSTNAME_LABEL]: node.name };
}

/** Parses the annotation value: a JSON list of strings. */
export function parseIPv4PoolsAnnotation(value: string): string[] | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return {
      error: `must be a JSON list of pool names or CIDRs, like '["my-pool"]'; got ${JSON.stringify(value)}`,
    };
  }
  if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== 'string')) {
    return {
      error: `must be a JSON list of strings (pool names or CIDRs); got ${JSON.stringify(value)}`,
    };
  }
  return parsed as string[];
}

export type PoolChoice =
  | { ok: true; pools: IPPool[]; byAnnotation: boolean }
  | { ok: false; error: string; byAnnotation: boolean };

/** Why a pool is not a candidate for automatic assignment on this node, or undefined if it is. */
export function whyPoolNotUsable(
  pool: IPPool,
  node: Pick<LabNode, 'name' | 'labels'>,
  version: 4 | 6 = 4,
): string | undefined {
  if (pool.spec.disabled) return 'disabled';
  if (poolVersion(pool) !== version) return `not an IPv${version} pool`;
  if (!pool.spec.allowedUses.includes('Workload'))
    return `allowedUses ${JSON.stringify(pool.spec.allowedUses)} has no Workload`;
  if (pool.spec.assignmentMode === 'Manual')
    return 'assignmentMode Manual (only used when a pod asks for it)';
  let matches: boolean;
  try {
    matches = matchesSelector(pool.spec.nodeSelector, nodeSelectorLabels(node));
  } catch {
    return `nodeSelector ${JSON.stringify(pool.spec.nodeSelector)} does not parse`;
  }
  if (!matches) return `nodeSelector ${pool.spec.nodeSelector} does not select node ${node.name}`;
  return undefined;
}

/** The pools a pod may get its address from, in the pools' order. */
export function choosePools(
  pools: readonly IPPool[],
  pod: Pick<LabPod, 'annotations'>,
  node: Pick<LabNode, 'name' | 'labels'>,
  version: 4 | 6 = 4,
): PoolChoice {
  const ANNOTATION = version === 4 ? IPV4POOLS_ANNOTATION : IPV6POOLS_ANNOTATION;
  const annotation = pod.annotations[ANNOTATION];
  if (annotation !== undefined) {
    const requested = parseIPv4PoolsAnnotation(annotation);
    if (!Array.isArray(requested))
      return { ok: false, error: `${ANNOTATION} ${requested.error}`, byAnnotation: true };
    const chosen: IPPool[] = [];
    for (const entry of requested) {
      const asCidr = parseCidr(entry);
      let pool: IPPool | undefined;
      if (asCidr) {
        const want = cidrToString(asCidr);
        pool = pools.find((p) => p.spec.cidr === want);
        if (!pool || pool.spec.disabled) {
          return {
            ok: false,
            error: `the given pool (${want}) does not exist, or is not enabled`,
            byAnnotation: true,
          };
        }
      } else {
        pool = pools.find((p) => p.name === entry);
        if (!pool) {
          return {
            ok: false,
            error: `the given pool (${entry}) does not exist, or is not enabled`,
            byAnnotation: true,
          };
        }
        if (pool.spec.disabled) {
          return {
            ok: false,
            error: `the given pool (${pool.spec.cidr}) does not exist, or is not enabled`,
            byAnnotation: true,
          };
        }
      }
      if (poolVersion(pool) !== version) {
        return {
          ok: false,
          error: `the given pool (${pool.spec.cidr}) is not an IPv${version} pool`,
          byAnnotation: true,
        };
      }
      if (!chosen.includes(pool)) chosen.push(pool);
    }
    if (chosen.length === 0)
      return { ok: false, error: `${ANNOTATION} lists no pool`, byAnnotation: true };
    // Pools that do not allow Workload use are dropped; none left is an error.
    const forWorkloads = chosen.filter((p) => p.spec.allowedUses.includes('Workload'));
    if (forWorkloads.length === 0) {
      return {
        ok: false,
        error: `no qualifying IP pools found, no pools match the required use (Workload): ${chosen.map((p) => p.name).join(', ')}`,
        byAnnotation: true,
      };
    }
    return { ok: true, pools: forWorkloads, byAnnotation: true };
  }
  const usable = pools.filter((p) => whyPoolNotUsable(p, node, version) === undefined);
  if (usable.length > 0) return { ok: true, pools: usable, byAnnotation: false };
  const reasons = pools.map((p) => `${p.name}: ${whyPoolNotUsable(p, node, version)}`);
  return {
    ok: false,
    error: `no IPPool can give it an address on node ${node.name} (${reasons.join('; ') || 'no pools'})`,
    byAnnotation: false,
  };
}
