// Felix's nftables mode for IPv6: `table ip6 calico`. What we follow in Calico's source:
// - felix/dataplane/linux/int_dataplane.go: with IPv6 enabled, a second root table
//   nftables.NewTable("calico", 6, …) whose "nat" layer (NewTableLayer) takes the IPv6 nat
//   chains, and the same table holds the IPv6 sets (ipSetsV6 = nftablesV6RootTable); Felix
//   sweeps ip6tables' rules and the ipsets away as it does for IPv4.
// - felix/nftables/table.go NewTable: family knftables.IPv6Family, the same base chains (nat
//   POSTROUTING: type nat, priority srcnat + 10) and the same `cali|nat|…-` chain names.
// - felix/nftables/renderer.go: the renderer is made per IP version (NewNFTRenderer(prefix,
//   ipv)); renderRule sets Match.IPVersion(ipv), so match_builder.go's insertIPVersion writes
//   `ip6 saddr @set` / `ip6 daddr != @set`; the hash (generictables.RuleHashes) runs over that
//   text, so the MASQUERADE rule's cali: hash differs from IPv4's while the jumps' do not.
// - felix/nftables/ipsets.go: the IPv6 IPSets' IPVersionConfig names sets "cali60" + ID
//   (ipsets.NewIPVersionConfig(IPFamilyV6, …)); setType gives `ipv6_addr`, hash:net sets get
//   `flags interval`.
// - felix/rules/nat.go NATOutgoingChain(active, 6) and static.go: the chains themselves, as in
//   iptables mode (felix-nat6.ts builds them; natOutgoingAddress stays IPv4-only).
// The lab's conntrack keeper goes into `table ip6 egress-lab`: conntrack is per family, so the
// IPv6 side needs its own (see render-nft.ts and NatTable.labChains).
import {
  nftHashedRules,
  nftRuleLines,
  renderNftApplyParts,
  renderNftRuleset,
  type NftApplyParts,
  type NftRule,
} from './render-nft.js';
import type { NodeDataplane } from './types.js';

export const NFT6_FAMILY = 'ip6';

export type Ipv6Side = NonNullable<NodeDataplane['ipv6']>;

/** The IPv6 side Felix programs, or undefined when it programs none (ipv6Support: false). */
export function felixIpv6(dp: Pick<NodeDataplane, 'ipv6'>): Ipv6Side | undefined {
  return dp.ipv6 && !dp.ipv6.felixOff ? dp.ipv6 : undefined;
}

/** `table ip6 calico` as `nft list` shows it: the cali60 sets, the nat base chain, Felix's chains. */
export function renderNft6Ruleset(v6: Pick<Ipv6Side, 'ipsets' | 'nat'>): string {
  return renderNftRuleset(v6, 6);
}

/** `nft -f` parts for the IPv6 tables (ip6 calico and the keeper's ip6 egress-lab). */
export function renderNft6ApplyParts(v6: Pick<Ipv6Side, 'ipsets' | 'nat'>): NftApplyParts {
  return renderNftApplyParts(v6, 6);
}

/** Every rule of `table ip6 calico` with its hash (chains, then the base chain's hook). */
export function nft6HashedRules(v6: Pick<Ipv6Side, 'nat'>): NftRule[] {
  return nftHashedRules(v6.nat, 6);
}

/** `add rule ip6 calico …` lines, base chain first, for rule diffs. */
export function nft6RuleLines(v6: Pick<Ipv6Side, 'nat'>): string[] {
  return nftRuleLines(v6.nat, 6);
}
