// What Felix (iptables mode, v3.30) programs for outgoing NAT, as data:
// felix/rules/nat.go (NATOutgoingChain, makeNATOutgoingRuleIPTables),
// felix/rules/static.go (StaticNATPostroutingChains) and felix/dataplane/linux/masq_mgr.go.
import type { FelixConfiguration, IPPool } from '../model/calico.js';
import type { Action, Chain, IpSet, NatTable, Rule } from './types.js';
import { DEFAULT_NAT_BEHAVIOUR, type NatBehaviour } from '../calico/versions.js';
import { ip6ToBig } from '../net/cidr6.js';

export const IPSET_MASQ_POOLS = 'cali40masq-ipam-pools';
/** The v3.30 name; calico/versions.ts natBehaviour() gives each version's. */
export const IPSET_ALL_POOLS = 'cali40all-ipam-pools';
export const IPSET_ALL_HOSTS = 'cali40all-hosts-net';
export const CHAIN_POSTROUTING = 'cali-POSTROUTING';
export const CHAIN_FIP_SNAT = 'cali-fip-snat';
export const CHAIN_NAT_OUTGOING = 'cali-nat-outgoing';

/** The IP version a rule set is for: Felix runs the same renderer once per version. */
export type IpVersion = 4 | 6;

function ofVersion(cidr: string, version: IpVersion): boolean {
  return cidr.includes(':') === (version === 6);
}

/**
 * Felix's set names per IP version: ipsets.IPVersionConfig names them "cali40" or "cali60" + the
 * set's ID (felix/ipsets/ipset_defs.go); the all-pools ID depends on the version of Calico.
 */
export function natSetNames(
  version: IpVersion,
  behaviour: NatBehaviour = DEFAULT_NAT_BEHAVIOUR,
): { masq: string; all: string; hosts: string } {
  const names = { masq: IPSET_MASQ_POOLS, all: behaviour.allPoolsSet, hosts: IPSET_ALL_HOSTS };
  if (version === 4) return names;
  const six = (n: string) => n.replace(/^cali40/, 'cali60');
  return { masq: six(names.masq), all: six(names.all), hosts: six(names.hosts) };
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
  version: IpVersion = 4,
): IpSet[] {
  const mine = pools.filter((p) => ofVersion(p.spec.cidr, version));
  // From v3.31.6/v3.32.1 masq_mgr leaves LoadBalancer-only pools out (calico/versions.ts).
  const exempt = behaviour.loadBalancerOnlyPoolsExempt
    ? mine
    : mine.filter(
        (p) => !(p.spec.allowedUses.length === 1 && p.spec.allowedUses[0] === 'LoadBalancer'),
      );
  const names = natSetNames(version, behaviour);
  const family = version === 4 ? 'inet' : 'inet6';
  const sort = version === 4 ? sortCidrs : sortCidrs6;
  const sets: IpSet[] = [
    {
      name: names.masq,
      type: 'hash:net',
      family,
      members: sort(mine.filter((p) => p.spec.natOutgoing).map((p) => p.spec.cidr)),
    },
    {
      name: names.all,
      type: 'hash:net',
      family,
      members: sort(exempt.map((p) => p.spec.cidr)),
    },
  ];
  if (felix.spec.natOutgoingExclusions === 'IPPoolsAndHostIPs') {
    const host = version === 4 ? '/32' : '/128';
    sets.push({
      name: names.hosts,
      type: 'hash:net',
      family,
      members: sort(nodeAddresses.map((a) => (a.includes('/') ? a : `${a}${host}`))),
    });
  }
  return sets;
}

function natOutgoingRule(
  felix: FelixConfiguration,
  protocol: 'tcp' | 'udp' | undefined,
  action: Action,
  behaviour: NatBehaviour,
  version: IpVersion,
): Rule {
  const names = natSetNames(version, behaviour);
  const match: Rule['match'] = [
    { kind: 'srcSet', set: names.masq },
    { kind: 'dstSet', set: names.all, negate: true },
  ];
  if (felix.spec.natOutgoingExclusions === 'IPPoolsAndHostIPs') {
    match.push({ kind: 'dstSet', set: names.hosts, negate: true });
  }
  if (protocol) match.push({ kind: 'protocol', name: protocol });
  const filter = felix.spec.iptablesNATOutgoingInterfaceFilter;
  if (filter) match.push({ kind: 'outInterface', name: filter });
  return { match, action };
}

/**
 * cali-nat-outgoing: empty unless some pool of this IP version has natOutgoing.
 * natOutgoingAddress is an IPv4 setting (felix/config/config_params.go `config:"ipv4;"`): IPv6
 * masquerades to the node's own address (the lab warns, lab-file/ipv6-warnings.ts).
 */
export function natOutgoingRules(
  pools: IPPool[],
  felix: FelixConfiguration,
  behaviour: NatBehaviour = DEFAULT_NAT_BEHAVIOUR,
  version: IpVersion = 4,
): Rule[] {
  const active = pools.some((p) => ofVersion(p.spec.cidr, version) && p.spec.natOutgoing);
  if (!active) return [];
  const addr = version === 4 ? felix.spec.natOutgoingAddress : undefined;
  const dflt: Action = addr
    ? { kind: 'snat', toSource: addr, randomFully: true }
    : { kind: 'masquerade', randomFully: true };
  const ports = felixPortRange(felix.spec.natPortRange);
  const rule = (protocol: 'tcp' | 'udp' | undefined, action: Action) =>
    natOutgoingRule(felix, protocol, action, behaviour, version);
  if (!ports) return [rule(undefined, dflt)];
  const ranged: Action = addr
    ? { kind: 'snat', toSource: `${addr}:${ports}`, randomFully: true }
    : { kind: 'masquerade', toPorts: ports, randomFully: true };
  return [
    rule('tcp', ranged),
    rule('tcp', { kind: 'return' }),
    rule('udp', ranged),
    rule('udp', { kind: 'return' }),
    rule(undefined, dflt),
  ];
}

/**
 * The nat table Felix owns for outgoing NAT, the same chains and hook in iptables' and
 * ip6tables' nat tables. Left out on purpose: cali-PREROUTING/cali-OUTPUT (floating-IP DNAT,
 * unused here); the per-tunnel MASQUERADE rules of cali-POSTROUTING are added by
 * plan/encap-dataplane.ts when a pool encapsulates.
 */
export function natTable(
  pools: IPPool[],
  felix: FelixConfiguration,
  behaviour: NatBehaviour = DEFAULT_NAT_BEHAVIOUR,
  version: IpVersion = 4,
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
      { name: CHAIN_NAT_OUTGOING, rules: natOutgoingRules(pools, felix, behaviour, version) },
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
