// What Felix programs for IPv6 outgoing NAT (NAT66), as data. Felix runs one rule renderer per IP
// version with the same code (felix/rules/nat.go NATOutgoingChain(natOutgoingActive, ipVersion),
// makeNATOutgoingRuleIPTables; felix/rules/static.go StaticNATPostroutingChains(ipVersion)):
// - the sets get the IPv6 prefix: ipsets.IPVersionConfig names them "cali60" + ID
//   (felix/ipsets/ipset_defs.go), so cali60masq-ipam-pools, cali60all-ipam-pools (v3.31.6+ and
//   v3.32.1+: cali60network-ip-pools), cali60all-hosts-net, family inet6;
// - masq_mgr.go fills them from the IPv6 pools only (natOutgoing ones for masq, all for all);
// - the chains keep their names (cali-POSTROUTING, cali-fip-snat, cali-nat-outgoing) in
//   ip6tables' nat table, with the same POSTROUTING hook, and hash the same way (hash.ts).
// natOutgoingAddress is an IPv4 setting (felix/config/config_params.go: `config:"ipv4;"`): the
// lab masquerades IPv6 to the node's own address and warns (lab-file/ipv6-warnings.ts).
import type { FelixConfiguration, IPPool } from '../model/calico.js';
import { DEFAULT_NAT_BEHAVIOUR, type NatBehaviour } from '../calico/versions.js';
import { natIpSets, natSetNames, natTable } from './felix-nat.js';
import type { IpSet, NatTable, NodeDataplane } from './types.js';

/** The IPv6 name of a version's all-pools set: cali40… becomes cali60…. */
export function allPoolsSet6(behaviour: NatBehaviour): string {
  return natSetNames(6, behaviour).all;
}

export function natIpSets6(
  pools: IPPool[],
  felix: FelixConfiguration,
  nodeAddresses6: string[],
  behaviour: NatBehaviour = DEFAULT_NAT_BEHAVIOUR,
): IpSet[] {
  return natIpSets(pools, felix, nodeAddresses6, behaviour, 6);
}

/** ip6tables' nat table as Felix owns it for outgoing NAT (same chains as IPv4's). */
export function natTable6(
  pools: IPPool[],
  felix: FelixConfiguration,
  behaviour: NatBehaviour = DEFAULT_NAT_BEHAVIOUR,
): NatTable {
  return natTable(pools, felix, behaviour, 6);
}

/**
 * A node whose Felix runs with ipv6Support: false (calico/felix-ipv6.ts): int_dataplane.go
 * builds no IPv6 ipsets, nat/filter tables (iptables or `table ip6 calico`) or route table, so
 * the node's IPv6 side keeps only its address; the CNI's IPv6 routes to the pods stay
 * (node-dataplane6.ts), as Calico's CNI adds them itself.
 */
export function felixIpv6Off(address: string): NonNullable<NodeDataplane['ipv6']> {
  return { address, ipsets: [], nat: { chains: [], appends: [] }, felixOff: true };
}
