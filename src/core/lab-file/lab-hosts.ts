// External hosts, each on its own segment behind the router. A host written without a prefix
// gets /24; its gateway (the router's side of the segment) is the first usable address of the
// segment other than the host's own.
import type { LabHost } from '../model/lab.js';
import {
  networkContains,
  networksOverlap,
  cidrToString,
  numberToV4,
  parseCidr,
  parseIP,
  v4ToNumber,
  v4UsableRange,
  type Cidr,
} from '../net/cidr.js';
import type { FieldPath } from '../calico/field-error.js';
import type { LabContext } from './lab-context.js';

export const DEFAULT_TCP_PORTS = [8080];
export const DEFAULT_UDP_PORTS = [8081];

export function buildHosts(
  ctx: LabContext,
  fabric: Cidr | undefined,
  fabricCidr: string,
): LabHost[] {
  const { spec, claimName } = ctx;
  const P = ctx.problem;
  const fabricOk = fabric !== undefined;
  const segments: { cidr: Cidr; host: string }[] = [];
  const hosts: LabHost[] = [];
  (spec.hosts ?? []).forEach((h, i) => {
    const path: FieldPath = ['spec', 'hosts', i];
    claimName(h.name, 'host', [...path, 'name']);
    const withPrefix = h.address.includes('/') ? h.address : `${h.address}/24`;
    const seg = parseCidr(withPrefix);
    if (!seg || seg.version !== 4) {
      P(
        [...path, 'address'],
        `expected an IPv4 address with its segment's prefix, like "203.0.113.10/24", got ${JSON.stringify(h.address)}`,
      );
      return;
    }
    if (seg.prefix > 31) {
      P(
        [...path, 'address'],
        `host ${h.name} needs a segment of at least 2 addresses (/31 or shorter) for itself and the router's gateway address`,
      );
      return;
    }
    const range = v4UsableRange(seg);
    const self = v4ToNumber(seg.ip as Parameters<typeof v4ToNumber>[0]);
    if (self < range.first || self > range.last) {
      P(
        [...path, 'address'],
        `address ${seg.ip.toString()} is the ${self < range.first ? 'network' : 'broadcast'} address of its segment ${cidrToString(seg)}`,
      );
      return;
    }
    let ok = true;
    if (fabricOk && networksOverlap(seg, fabric!)) {
      P(
        [...path, 'address'],
        `host segment ${cidrToString(seg)} overlaps the fabric ${fabricCidr}`,
      );
      ok = false;
    }
    for (const other of segments) {
      if (networksOverlap(other.cidr, seg)) {
        P(
          [...path, 'address'],
          `host segment ${cidrToString(seg)} overlaps host ${other.host}'s segment ${cidrToString(other.cidr)}; each host has its own segment behind the router`,
        );
        ok = false;
      }
    }
    let gateway: number | undefined;
    if (h.gateway !== undefined) {
      const g = parseIP(h.gateway);
      if (!g || g.kind() !== 'ipv4')
        P([...path, 'gateway'], `expected an IPv4 address, got ${JSON.stringify(h.gateway)}`);
      else if (!networkContains(seg, g))
        P(
          [...path, 'gateway'],
          `gateway ${h.gateway} is outside the host's segment ${cidrToString(seg)}`,
        );
      else {
        const gn = v4ToNumber(g as Parameters<typeof v4ToNumber>[0]);
        if (gn === self) P([...path, 'gateway'], `gateway ${h.gateway} is the host's own address`);
        else if (gn < range.first || gn > range.last)
          P(
            [...path, 'gateway'],
            `gateway ${h.gateway} is the network or broadcast address of ${cidrToString(seg)}`,
          );
        else gateway = gn;
      }
    } else {
      gateway = range.first === self ? range.first + 1 : range.first;
    }
    const ports = (key: 'tcpPorts' | 'udpPorts', dflt: number[]) => {
      const list = h[key] ?? dflt;
      list.forEach((port, j) => {
        if (list.indexOf(port) !== j) P([...path, key, j], `port ${port} is listed twice`);
      });
      return [...new Set(list)];
    };
    const tcpPorts = ports('tcpPorts', DEFAULT_TCP_PORTS);
    const udpPorts = ports('udpPorts', DEFAULT_UDP_PORTS);
    segments.push({ cidr: seg, host: h.name });
    if (!ok || gateway === undefined) return;
    hosts.push({
      name: h.name,
      address: seg.ip.toString(),
      prefixLength: seg.prefix,
      gateway: numberToV4(gateway).toString(),
      tcpPorts,
      udpPorts,
    });
  });

  return hosts;
}
