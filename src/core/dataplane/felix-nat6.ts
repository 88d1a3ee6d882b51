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
import {
  CHAIN_FIP_SNAT,
  CHAIN_NAT_OUTGOING,
  CHAIN_POSTROUTING,
  conntrackKeeper,
  felixPortRange,
} from './felix-nat.js';
import type { Action, IpSet, NatTable, Rule } from './types.js';
import { ip6ToBig } from '../net/cidr6.js';

export const IPSET6_MASQ_POOLS = 'cali60masq-ipam-pools';
export const IPSET6_ALL_HOSTS = 'cali60all-hosts-net';

function isV6(cidr: string): boolean {
  return cidr.includes(':');
}

/** The IPv6 name of a version's all-pools set: cali40… becomes cali60…. */
export function allPoolsSet6(behaviour: NatBehaviour): string {
  return behaviour.allPoolsSet.replace(/^cali40/, 'cali60');
}

/** IPv6 CIDRs in address order, then by prefix length. */
export function sortCidrs6(cidrs: string[]): string[] {
  const key = (c: string): [bigint, number] => {
    const [ip = '::', len = '128'] = c.split('/');
    return [ip6ToBig(ip), Number(len)];
  };
  return [...new Set(cidrs)].sort((a, b) => {
    const [na, la] = key(a);
    const [nb, lb] = key(b);
    return na < nb ? -1 : na > nb ? 1 : la - lb;
  });
}

export function natIpSets6(
  pools: IPPool[],
  felix: FelixConfiguration,
  nodeAddresses6: string[],
  behaviour: NatBehaviour = DEFAULT_NAT_BEHAVIOUR,
): IpSet[] {
  const v6 = pools.filter((p) => isV6(p.spec.cidr));
  const exempt = behaviour.loadBalancerOnlyPoolsExempt
    ? v6
    : v6.filter(
        (p) => !(p.spec.allowedUses.length === 1 && p.spec.allowedUses[0] === 'LoadBalancer'),
      );
  const sets: IpSet[] = [
    {
      name: IPSET6_MASQ_POOLS,
      type: 'hash:net',
      family: 'inet6',
      members: sortCidrs6(v6.filter((p) => p.spec.natOutgoing).map((p) => p.spec.cidr)),
    },
    {
      name: allPoolsSet6(behaviour),
      type: 'hash:net',
      family: 'inet6',
      members: sortCidrs6(exempt.map((p) => p.spec.cidr)),
    },
  ];
  if (felix.spec.natOutgoingExclusions === 'IPPoolsAndHostIPs') {
    sets.push({
      name: IPSET6_ALL_HOSTS,
      type: 'hash:net',
      family: 'inet6',
      members: sortCidrs6(nodeAddresses6.map((a) => (a.includes('/') ? a : `${a}/128`))),
    });
  }
  return sets;
}

function rule6(
  felix: FelixConfiguration,
  protocol: 'tcp' | 'udp' | undefined,
  action: Action,
  behaviour: NatBehaviour,
): Rule {
  const match: Rule['match'] = [
    { kind: 'srcSet', set: IPSET6_MASQ_POOLS },
    { kind: 'dstSet', set: allPoolsSet6(behaviour), negate: true },
  ];
  if (felix.spec.natOutgoingExclusions === 'IPPoolsAndHostIPs')
    match.push({ kind: 'dstSet', set: IPSET6_ALL_HOSTS, negate: true });
  if (protocol) match.push({ kind: 'protocol', name: protocol });
  const filter = felix.spec.iptablesNATOutgoingInterfaceFilter;
  if (filter) match.push({ kind: 'outInterface', name: filter });
  return { match, action };
}

/** cali-nat-outgoing for IPv6: empty unless some IPv6 pool has natOutgoing. */
export function natOutgoingRules6(
  pools: IPPool[],
  felix: FelixConfiguration,
  behaviour: NatBehaviour = DEFAULT_NAT_BEHAVIOUR,
): Rule[] {
  if (!pools.some((p) => isV6(p.spec.cidr) && p.spec.natOutgoing)) return [];
  const masq: Action = { kind: 'masquerade', randomFully: true };
  const ports = felixPortRange(felix.spec.natPortRange);
  if (!ports) return [rule6(felix, undefined, masq, behaviour)];
  const ranged: Action = { kind: 'masquerade', toPorts: ports, randomFully: true };
  return [
    rule6(felix, 'tcp', ranged, behaviour),
    rule6(felix, 'tcp', { kind: 'return' }, behaviour),
    rule6(felix, 'udp', ranged, behaviour),
    rule6(felix, 'udp', { kind: 'return' }, behaviour),
    rule6(felix, undefined, masq, behaviour),
  ];
}

/** ip6tables' nat table as Felix owns it for outgoing NAT (same chains as IPv4's). */
export function natTable6(
  pools: IPPool[],
  felix: FelixConfiguration,
  behaviour: NatBehaviour = DEFAULT_NAT_BEHAVIOUR,
): NatTable {
  return {
    chains: [
      {
        name: CHAIN_POSTROUTING,
        rules: [
          { match: [], action: { kind: 'jump', target: CHAIN_FIP_SNAT } },
          { match: [], action: { kind: 'jump', target: CHAIN_NAT_OUTGOING } },
        ],
      },
      { name: CHAIN_FIP_SNAT, rules: [] },
      { name: CHAIN_NAT_OUTGOING, rules: natOutgoingRules6(pools, felix, behaviour) },
    ],
    appends: [
      {
        chain: 'POSTROUTING',
        rules: [{ match: [], action: { kind: 'jump', target: CHAIN_POSTROUTING } }],
      },
    ],
    labChains: [conntrackKeeper()],
  };
}
