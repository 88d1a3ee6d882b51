// Felix's IPv6 filter layer in nftables form, for `table ip6 calico` (Felix runs one nftables
// table per IP version, felix/nftables/table.go NewTable(… ipVersion …)): the same chains as the
// IPv4 layer (render-nft-filter.ts) with `ip6 saddr/daddr` matches and the `cali60s:` selector
// sets as `ipv6_addr` sets. In nftables mode it goes into the same `table ip6 calico` as the
// IPv6 NAT (render-nft6.ts), in the same `nft -f` transaction (apply-input.ts nft6.*); in
// iptables mode IPv6 policy is ip6tables' filter table (apply.sh "filter6.*").
import type { FilterTable } from './filter-types.js';
import { nftFilterLayer, nftFilterPrep, renderNftFilterBlock } from './render-nft-filter.js';
import { nftSetName, type NftApplyParts } from './render-nft.js';
import { renderNft6ApplyParts, renderNft6Ruleset, type Ipv6Side } from './render-nft6.js';
import type { IpSet } from './types.js';

export const NFT6_FAMILY = 'ip6';
export const NFT6_TABLE = 'calico';

const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const ELEMENT6 = /^[0-9a-fA-F:]+(\/\d{1,3})?$/;

function checked(re: RegExp, what: string, v: string): string {
  if (!re.test(v)) throw new Error(`bad ${what} "${v}"`);
  return v;
}

/** `table ip6 calico { … }` with the policy sets and the filter layer (no NAT chains). */
export function renderNftFilter6Table(t: FilterTable, ipsets: readonly IpSet[]): string {
  const lines = [`table ${NFT6_FAMILY} ${NFT6_TABLE} {`];
  for (const s of ipsets.filter((x) => x.family === 'inet6' && x.name.startsWith('cali60s:'))) {
    const name = checked(NAME, 'set', nftSetName(s.name));
    const el = s.members.length
      ? ` elements = { ${s.members.map((m) => checked(ELEMENT6, 'element', m)).join(', ')} }`
      : '';
    lines.push(`\tset ${name} { type ipv6_addr; flags interval;${el} }`);
  }
  lines.push(...renderNftFilterBlock(nftFilterLayer(t, NFT6_FAMILY)), '}');
  return `${lines.join('\n')}\n`;
}

type Ipv6WithFilter = Pick<Ipv6Side, 'ipsets' | 'nat'> & { filter?: FilterTable };

/** `table ip6 calico`'s NAT side (render-nft6.ts) plus the policy layer, for one `nft -f`. */
export function renderNft6ApplyPartsWithFilter(v6: Ipv6WithFilter): NftApplyParts {
  const parts = renderNft6ApplyParts(v6);
  if (!v6.filter) return parts;
  const layer = nftFilterLayer(v6.filter, NFT6_FAMILY);
  const t = `${NFT6_FAMILY} ${NFT6_TABLE}`;
  return {
    prep: `${parts.prep}${nftFilterPrep(layer, t)
      .map((l) => `${l}\n`)
      .join('')}`,
    table: `${parts.table}table ${t} {\n${renderNftFilterBlock(layer).join('\n')}\n}\n`,
  };
}

/** The ip6 table as the Rules screen shows a node: NAT, then the policy layer. */
export function renderNft6RulesetWithFilter(v6: Ipv6WithFilter): string {
  const base = renderNft6Ruleset(v6);
  if (!v6.filter) return base;
  const block = renderNftFilterBlock(nftFilterLayer(v6.filter, NFT6_FAMILY)).join('\n');
  return `${base}table ${NFT6_FAMILY} ${NFT6_TABLE} {\n${block}\n}\n`;
}

/** The policy layer's `add rule ip6 calico …` lines (hooks first), for rule diffs. */
export function nft6FilterRuleLines(t: FilterTable): string[] {
  const rules = nftFilterLayer(t, NFT6_FAMILY).rules;
  return [
    ...rules.filter((r) => r.placement !== 'own'),
    ...rules.filter((r) => r.placement === 'own'),
  ].map((r) => `add rule ${NFT6_FAMILY} ${NFT6_TABLE} ${r.chain} ${r.text}`);
}
