// What Felix (iptables mode, v3.30) programs for outgoing NAT, as data:
// felix/rules/nat.go (NATOutgoingChain, makeNATOutgoingRuleIPTables),
// felix/rules/static.go (StaticNATPostroutingChains) and felix/dataplane/linux/masq_mgr.go.
import type { FelixConfiguration, IPPool } from '../model/calico.js';
import type { Action, Chain, IpSet, NatTable, Rule } from './types.js';
import { DEFAULT_NAT_BEHAVIOUR, type NatBehaviour } from '../calico/versions.js';

export const IPSET_MASQ_POOLS = 'cali40masq-ipam-pools';
/** The v3.30 name; calico/versions.ts natBehaviour() gives each version's. */
export const IPSET_ALL_POOLS = 'cali40all-ipam-pools';
export const IPSET_ALL_HOSTS = 'cali40all-hosts-net';
export const CHAIN_POSTROUTING = 'cali-POSTROUTING';
export const CHAIN_FIP_SNAT = 'cali-fip-snat';
export const CHAIN_NAT_OUTGOING = 'cali-nat-outgoing';

function isV4(cidr: string): boolean {
  return !cidr.includes(':');
}

/** "min:max" (Calico's Port range) or "min-max" -> "min-max"; undefined when unset. */
export function felixPortRange(natPortRange: string | undefined): string | undefined {
  if (!natPortRange) return undefined;
  const m = /^(\d+)(?:[:-](\d+))?$/.exec(natPortRange.trim());
  if (!m) return undefined;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  // Felix only acts when MaxPort > 0.
  return max > 0 ? `${min}-${max}` : undefined;
}

/**
 * The ipsets masq_mgr keeps: masq = pools with natOutgoing (disabled or not), all = every pool.
 * With natOutgoingExclusions IPPoolsAndHostIPs (v3.31+) the rule also excludes all-hosts-net,
 * which holds the nodes' addresses.
 */
export function natIpSets(
  pools: IPPool[],
  felix: FelixConfiguration,
  nodeAddresses: string[],
  behaviour: NatBehaviour = DEFAULT_NAT_BEHAVIOUR,
): IpSet[] {
  const v4 = pools.filter((p) => isV4(p.spec.cidr));
  // From v3.31.6/v3.32.1 masq_mgr leaves LoadBalancer-only pools out (calico/versions.ts).
  const exempt = behaviour.loadBalancerOnlyPoolsExempt
    ? v4
    : v4.filter(
        (p) => !(p.spec.allowedUses.length === 1 && p.spec.allowedUses[0] === 'LoadBalancer'),
      );
  const sets: IpSet[] = [
    {
      name: IPSET_MASQ_POOLS,
      type: 'hash:net',
      family: 'inet',
      members: sortCidrs(v4.filter((p) => p.spec.natOutgoing).map((p) => p.spec.cidr)),
    },
    {
      name: behaviour.allPoolsSet,
      type: 'hash:net',
      family: 'inet',
      members: sortCidrs(exempt.map((p) => p.spec.cidr)),
    },
  ];
  if (felix.spec.natOutgoingExclusions === 'IPPoolsAndHostIPs') {
    sets.push({
      name: IPSET_ALL_HOSTS,
      type: 'hash:net',
      family: 'inet',
      members: sortCidrs(nodeAddresses.map((a) => (a.includes('/') ? a : `${a}/32`))),
    });
  }
  return sets;
}

function natOutgoingRule(
  felix: FelixConfiguration,
  protocol: 'tcp' | 'udp' | undefined,
  action: Action,
  behaviour: NatBehaviour,
): Rule {
  const match: Rule['match'] = [
    { kind: 'srcSet', set: IPSET_MASQ_POOLS },
    { kind: 'dstSet', set: behaviour.allPoolsSet, negate: true },
  ];
  if (felix.spec.natOutgoingExclusions === 'IPPoolsAndHostIPs') {
    match.push({ kind: 'dstSet', set: IPSET_ALL_HOSTS, negate: true });
  }
  if (protocol) match.push({ kind: 'protocol', name: protocol });
  const filter = felix.spec.iptablesNATOutgoingInterfaceFilter;
  if (filter) match.push({ kind: 'outInterface', name: filter });
  return { match, action };
}

/** cali-nat-outgoing: empty unless some v4 pool has natOutgoing. */
export function natOutgoingRules(
  pools: IPPool[],
  felix: FelixConfiguration,
  behaviour: NatBehaviour = DEFAULT_NAT_BEHAVIOUR,
): Rule[] {
  const active = pools.some((p) => isV4(p.spec.cidr) && p.spec.natOutgoing);
  if (!active) return [];
  const addr = felix.spec.natOutgoingAddress;
  const dflt: Action = addr
    ? { kind: 'snat', toSource: addr, randomFully: true }
    : { kind: 'masquerade', randomFully: true };
  const ports = felixPortRange(felix.spec.natPortRange);
  if (!ports) return [natOutgoingRule(felix, undefined, dflt, behaviour)];
  const ranged: Action = addr
    ? { kind: 'snat', toSource: `${addr}:${ports}`, randomFully: true }
    : { kind: 'masquerade', toPorts: ports, randomFully: true };
  return [
    natOutgoingRule(felix, 'tcp', ranged, behaviour),
    natOutgoingRule(felix, 'tcp', { kind: 'return' }, behaviour),
    natOutgoingRule(felix, 'udp', ranged, behaviour),
    natOutgoingRule(felix, 'udp', { kind: 'return' }, behaviour),
    natOutgoingRule(felix, undefined, dflt, behaviour),
  ];
}

/**
 * The nat table Felix owns for outgoing NAT. Left out on purpose: cali-PREROUTING/cali-OUTPUT
 * (floating-IP DNAT, unused here) and the per-tunnel MASQUERADE rules of cali-POSTROUTING
 * (the lab runs no IPIP/VXLAN devices).
 */
export function natTable(
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
      { name: CHAIN_NAT_OUTGOING, rules: natOutgoingRules(pools, felix, behaviour) },
    ],
    // Felix appends this hook to POSTROUTING (since v3.29; felix/rules/static.go).
    appends: [
      {
        chain: 'POSTROUTING',
        rules: [{ match: [], action: { kind: 'jump', target: CHAIN_POSTROUTING } }],
      },
    ],
    labChains: [conntrackKeeper()],
  };
}

export const CHAIN_CONNTRACK_KEEPER = 'egress-lab-conntrack';

/** See NatTable.labChains: never jumped to, only loaded, so conntrack stays on in the node. */
export function conntrackKeeper(): Chain {
  return {
    name: CHAIN_CONNTRACK_KEEPER,
    rules: [
      {
        match: [{ kind: 'ctstate', states: ['RELATED', 'ESTABLISHED'] }],
        action: { kind: 'return' },
        comments: ['egress-lab: keeps conntrack on, as on a real node'],
      },
    ],
  };
}

/** Numeric sort of v4 CIDRs (then by prefix length), so sets and diffs read naturally. */
export function sortCidrs(cidrs: string[]): string[] {
  const key = (c: string): [number, number] => {
    const [ip = '', len = '32'] = c.split('/');
    const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    return [n, Number(len)];
  };
  return [...new Set(cidrs)].sort((a, b) => {
    const [na, la] = key(a);
    const [nb, lb] = key(b);
    return na - nb || la - lb;
  });
}
