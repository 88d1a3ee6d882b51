// What a change does to a node: rule lines (as iptables-save shows them, or as `nft add rule`
// takes them on an nftables node, with their cali: hashes) that go and come, and set members
// that go and come. A node that changes dataplane loses every line of one form and gains the
// other's, as the apply replaces one with the other.
import { saveLines } from './render-nat.js';
import { filterLines } from './render-filter.js';
import { NFT_FAMILY, NFT_TABLE, nftRuleLines } from './render-nft.js';
import { nftFilterRuleLines } from './render-nft-filter.js';
import { felixIpv6, nft6RuleLines } from './render-nft6.js';
import { nft6FilterRuleLines } from './render-nft-filter6.js';
import type { DataplaneDiff, NodeDataplane } from './types.js';

/** IPv6 rule lines carry their family (ip6tables' nat table), so a diff says which one changed. */
export const IPV6_RULE_PREFIX = 'ip6tables: ';

function ruleLines(dp: NodeDataplane): string[] {
  // Network policy's filter rules (Felix's restore form) follow the nat table's.
  const v4 =
    dp.natDataplane === 'nftables'
      ? [...nftRuleLines(dp.nat), ...(dp.filter ? nftFilterRuleLines(dp.filter) : [])]
      : dp.filter
        ? [...saveLines(dp.nat), ...filterLines(dp.filter)]
        : saveLines(dp.nat);
  const v6 = felixIpv6(dp);
  if (!v6) return v4;
  // nftables nodes: `add rule ip6 calico …` lines already say their family.
  if (dp.natDataplane === 'nftables')
    return [...v4, ...nft6RuleLines(v6), ...(v6.filter ? nft6FilterRuleLines(v6.filter) : [])];
  const v6lines = v6.filter ? [...saveLines(v6.nat), ...filterLines(v6.filter)] : saveLines(v6.nat);
  return [...v4, ...v6lines.map((l) => `${IPV6_RULE_PREFIX}${l}`)];
}

/** ipsets by their name; nft sets as `ip calico @name`, so a mode change shows as one. */
function setsOf(dp: NodeDataplane): Map<string, string[]> {
  const nft = dp.natDataplane === 'nftables';
  return new Map([
    ...dp.ipsets.map(
      (s) => [nft ? `${NFT_FAMILY} ${NFT_TABLE} @${s.name}` : s.name, s.members] as const,
    ),
    // IPv6 labs: Felix's cali60 sets (names already say the family; nft: `ip6 calico @name`).
    ...(felixIpv6(dp)?.ipsets ?? []).map(
      (s) => [nft ? `ip6 ${NFT_TABLE} @${s.name}` : s.name, s.members] as const,
    ),
  ]);
}

function multisetMinus(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

export function diffDataplane(
  before: NodeDataplane,
  after: NodeDataplane,
  node = after.node,
): DataplaneDiff {
  const b = ruleLines(before);
  const a = ruleLines(after);
  const bs = setsOf(before);
  const as = setsOf(after);
  const names = [...new Set([...bs.keys(), ...as.keys()])];
  const ipsetChanges = names
    .map((set) => {
      const bm = bs.get(set) ?? [];
      const am = as.get(set) ?? [];
      return {
        set,
        removed: bm.filter((m) => !am.includes(m)),
        added: am.filter((m) => !bm.includes(m)),
      };
    })
    .filter((c) => c.removed.length || c.added.length);
  return { node, removed: multisetMinus(b, a), added: multisetMinus(a, b), ipsetChanges };
}
