// A pod's addresses by family. In an IPv6-only lab (plan-ipam6-only.ts) the assignment's
// `address` is the pod's IPv6 address: IPv4 code (routes, proxy ARP, IPv4 rules, explain over
// IPv4) asks podIpv4 and leaves such a pod out.
import type { PodAssignment } from './types.js';

/** The pod's IPv4 address, or undefined when it has none (IPv6-only lab). */
export function podIpv4(a: Pick<PodAssignment, 'address'>): string | undefined {
  return a.address !== '' && !a.address.includes(':') ? a.address : undefined;
}
