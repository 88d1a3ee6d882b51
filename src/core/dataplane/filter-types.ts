// Felix's filter table for workloads as data (felix/rules/static.go, dispatch.go, endpoints.go,
// policy.go at v3.30.0): match criteria and actions as values, rendered to iptables text by
// render-filter.ts in Felix's own words, so the same data drives rendering, hashing, explain
// and per-rule counters.

/** Felix's mark bits with the default IptablesMarkMask 0xffff0000 (felix/dataplane/driver.go). */
export const MARK_ACCEPT = 0x10000;
export const MARK_PASS = 0x20000;
export const MARK_DROP = 0x40000;
export const MARK_SCRATCH0 = 0x80000;
export const MARK_SCRATCH1 = 0x100000;

export type FilterMatch =
  | { kind: 'inInterface' | 'outInterface'; name: string }
  | { kind: 'markClear'; mask: number } // -m mark --mark 0/mask
  | { kind: 'markNotClear'; mask: number } // -m mark ! --mark 0/mask
  | { kind: 'markSet'; mark: number } // -m mark --mark bit/bit
  | { kind: 'ctstate'; states: string }
  | { kind: 'notCtstateDnat' } // -m conntrack ! --ctstate DNAT (nft: ct status != dnat)
  | { kind: 'dstAddrTypeLocal' } // -m addrtype --dst-type LOCAL (nft: fib daddr type local)
  | { kind: 'srcAddrTypeLocal' } // -m addrtype --src-type LOCAL (nft: fib saddr type local)
  | { kind: 'protocol'; name: string; negate?: boolean } // -p tcp
  | { kind: 'protocolNum'; num: number; negate?: boolean } // -p 4
  | { kind: 'srcNet' | 'dstNet'; cidr: string; negate?: boolean }
  | { kind: 'srcSet' | 'dstSet'; set: string; negate?: boolean }
  | { kind: 'srcPorts' | 'dstPorts'; ports: string; negate?: boolean } // multiport text "80,90:99"
  | { kind: 'icmp'; type: number; code?: number }
  | { kind: 'icmp6'; type: number; code?: number }; // -m icmp6 --icmpv6-type (IPv6 table)

export type FilterAction =
  | { kind: 'accept' }
  | { kind: 'drop' }
  | { kind: 'return' }
  | { kind: 'jump'; target: string }
  | { kind: 'goto'; target: string }
  | { kind: 'setMark'; mark: number }
  | { kind: 'clearMark'; mask: number }
  | { kind: 'setMaskedMark'; mark: number; mask: number }
  | { kind: 'log'; prefix: string }
  | { kind: 'none' }; // a rule that only counts (an empty policy chain's comment rule)

/** Where a rule comes from, for explain and the Rules screen (not rendered). */
export interface FilterRuleOrigin {
  /** Felix's policy ID ("ns/name" or the global name), or a profile ("kns.default"). */
  policy?: string;
  profile?: string;
  direction?: 'ingress' | 'egress';
  /** Index of the Calico rule in the policy's ingress or egress list. */
  ruleIndex?: number;
  /** What the rule is for when it is Felix's own (conntrack, end of tier, …). */
  role?: string;
}

export interface FilterRule {
  match: FilterMatch[];
  action: FilterAction;
  comments?: string[];
  origin?: FilterRuleOrigin;
}

export interface FilterChain {
  name: string;
  rules: FilterRule[];
}

export interface FilterTable {
  /** Felix's cali- chains, in the order Felix would list them. */
  chains: FilterChain[];
  /** Rules Felix inserts at the top of a kernel chain (FORWARD: the jump to cali-FORWARD). */
  inserts: { chain: string; rules: FilterRule[] }[];
  /** Rules Felix appends to a kernel chain (FORWARD: accept what policy accepted). */
  appends: { chain: string; rules: FilterRule[] }[];
}
