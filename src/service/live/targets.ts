// Names in a running lab → addresses and containers, from the lab's record (Lab + IPAM).
// Pure: the record is data. Also the safety rule for traffic: only addresses that belong
// to the lab (its containers, pools, fabric, host segments) or documentation ranges.
import { ipv6OnlyLab } from '../../core/model/ip-families.js';
import { isIP } from 'node:net';
import type { Lab } from '../../core/model/lab.js';
import { labTors } from '../../core/model/tor.js';
import { networkContains, parseCidr, parseIP } from '../../core/net/cidr.js';
import type { IpamPlan, Role } from '../../core/plan/types.js';
import { echoed } from '../client-text.js';

export interface LabData {
  lab: Lab;
  ipam: IpamPlan;
}

export interface Endpoint {
  address: string;
  /** Lab-local container name owning the address, if any. */
  container?: string;
  role?: Role;
  /** Pods: their node. */
  node?: string;
}

export interface PodInfo {
  name: string;
  node: string;
  address: string;
}

export function podInfo(data: LabData, pod: string): PodInfo {
  const a = data.ipam.assignments.find((x) => x.pod === pod);
  if (!a) {
    const pods = data.ipam.assignments.map((x) => x.pod);
    throw new Error(
      `no pod '${echoed(pod)}' in lab ${data.lab.name} (pods: ${pods.join(', ') || 'none'})`,
    );
  }
  return { name: a.pod, node: a.node, address: a.address };
}

export function nodeAddresses(data: LabData, node: string): string[] {
  const n = data.lab.nodes.find((x) => x.name === node);
  return n ? [n.address, ...n.extraAddresses, ...(n.ipv6Address ? [n.ipv6Address] : [])] : [];
}

/** A pod's IPv6 address (IPv6 labs), as podInfo gives its IPv4 one. */
export function podInfo6(data: LabData, pod: string): PodInfo {
  const info = podInfo(data, pod);
  const a = data.ipam.assignments.find((x) => x.pod === pod);
  if (!a?.ipv6)
    throw new Error(`pod '${echoed(pod)}' has no IPv6 address (no IPv6 pool serves it)`);
  return { ...info, address: a.ipv6.address };
}

/** Every address a lab container holds, with its owner. */
export function labEndpoints(data: LabData): Endpoint[] {
  const out: Endpoint[] = [];
  for (const a of data.ipam.assignments)
    out.push({ address: a.address, container: a.pod, role: 'pod', node: a.node });
  for (const h of data.lab.hosts) out.push({ address: h.address, container: h.name, role: 'host' });
  for (const n of data.lab.nodes) {
    for (const address of [n.address, ...n.extraAddresses])
      out.push({ address, container: n.name, role: 'node' });
  }
  out.push({ address: data.lab.router.address, container: data.lab.router.name, role: 'router' });
  for (const h of data.lab.hosts)
    out.push({ address: h.gateway, container: data.lab.router.name, role: 'router' });
  // Racks' top-of-rack routers: their rack address, then their uplink's.
  for (const { rack, tor } of labTors(data.lab)) {
    out.push({ address: rack.routerAddress, container: tor.name, role: 'tor' });
    out.push({ address: tor.uplink.tor, container: tor.name, role: 'tor' });
  }
  // IPv6 labs: the IPv6 addresses after every IPv4 one, so a name still resolves to IPv4 first.
  for (const a of data.ipam.assignments)
    if (a.ipv6) out.push({ address: a.ipv6.address, container: a.pod, role: 'pod', node: a.node });
  for (const h of data.lab.hosts)
    if (h.ipv6) out.push({ address: h.ipv6.address, container: h.name, role: 'host' });
  for (const n of data.lab.nodes)
    if (n.ipv6Address) out.push({ address: n.ipv6Address, container: n.name, role: 'node' });
  const r6 = data.lab.router.ipv6Address;
  if (r6) out.push({ address: r6, container: data.lab.router.name, role: 'router' });
  for (const h of data.lab.hosts)
    if (h.ipv6)
      out.push({ address: h.ipv6.gateway, container: data.lab.router.name, role: 'router' });
  return out;
}

const DOC_RANGES = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'];

/** Read as Calico reads addresses (core/net/cidr): no octal or hex forms slip through. */
function inCidr(address: string, cidr: string): boolean {
  const a = parseIP(address);
  const c = parseCidr(cidr);
  return !!a && !!c && networkContains(c, a);
}

/** Whether traffic to `address` stays the lab's business (it never leaves anyway: no uplink). */
export function isLabAddress(data: LabData, address: string): boolean {
  if (labEndpoints(data).some((e) => e.address === address)) return true;
  const cidrs = [
    ...DOC_RANGES,
    data.lab.fabric.cidr,
    ...data.lab.ipPools.map((p) => p.spec.cidr),
    ...data.lab.hosts.map((h) => `${h.address}/${h.prefixLength}`),
    ...(data.lab.fabric.ipv6Cidr ? [data.lab.fabric.ipv6Cidr] : []),
    ...data.lab.hosts.flatMap((h) => (h.ipv6 ? [`${h.ipv6.address}/${h.ipv6.prefixLength}`] : [])),
  ];
  return cidrs.some((c) => inCidr(address, c));
}

/** A host, pod, node or router name, or an address; what owns it. */
export function resolveTarget(data: LabData, to: string, family?: 4 | 6): Endpoint {
  // ipVersion: a name resolves to that family's address (IPv6: the container's IPv6 one). An
  // IPv6-only lab's pods have no IPv4 address: there a name means its IPv6 address.
  const ipVersion = family ?? (ipv6OnlyLab(data.lab) ? 6 : undefined);
  const all = labEndpoints(data);
  const eps =
    ipVersion === undefined
      ? all
      : all.filter((e) => e.address.includes(':') === (ipVersion === 6));
  const byName =
    eps.find((e) => e.container === to && e.role !== 'router') ??
    eps.find((e) => e.container === to);
  if (byName) return byName;
  if (isIP(to)) {
    if (!isLabAddress(data, to)) {
      throw new Error(
        `${to} is not an address of lab ${data.lab.name}: traffic goes only to the lab's own containers, its pools and segments, or documentation ranges`,
      );
    }
    return all.find((e) => e.address === to) ?? { address: to };
  }
  const names = [...new Set(eps.map((e) => e.container).filter(Boolean))];
  throw new Error(
    `no host, pod or node '${echoed(to)}' in lab ${data.lab.name} (known: ${names.join(', ')})`,
  );
}

/** Who an address is, for messages: "node-1's address", "pod web-1", … */
export function describeAddress(data: LabData, address: string): string {
  const e = labEndpoints(data).find((x) => x.address === address);
  if (!e) return address;
  return `${address} (${e.role} ${e.container})`;
}
