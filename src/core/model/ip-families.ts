// Which address families pods get. Calico's CNI plugin asks IPAM for an IPv4 address unless its
// config says `"assign_ipv4": "false"` and for an IPv6 one when `"assign_ipv6": "true"`
// (cni-plugin/pkg/types/types.go IPAMConfig, cni-plugin/pkg/ipamplugin/ipam_plugin.go). The lab
// asks for IPv6 exactly when it runs IPv6 (fabric.ipv6Cidr) and an IPv6 pool exists, and for
// IPv4 unless the Lab says `spec.cni.assignIpv4: false`: an IPv6-only lab.
import type { Lab } from './lab.js';

/** Whether pods get an IPv4 address (the CNI's assign_ipv4, default true). */
export function assignsIpv4(lab: Pick<Lab, 'cni'>): boolean {
  return lab.cni?.assignIpv4 !== false;
}

/** An IPv6-only lab: pods get only an IPv6 address. */
export function ipv6OnlyLab(lab: Pick<Lab, 'cni'>): boolean {
  return !assignsIpv4(lab);
}
