// Felix's IPv6 filter layer in nftables form, for `table ip6 calico` (Felix runs one nftables
// table per IP version, felix/nftables/table.go NewTable(… ipVersion …)): the same chains as the
// IPv4 layer (render-nft-filter.ts) with `ip6 saddr/daddr` matches and the `cali60s:` selector
// sets as `ipv6_addr` sets. Not applied yet: in this lab IPv6 (NAT and policy alike) goes
// through ip6tables in both modes (runtime/agent/apply.sh "filter6.*"); this is the layer the
// nftables IPv6 table takes once its NAT side is nftables too.
import type { FilterTable } from './filter-types.js';
import { nftFilterLayer, renderNftFilterBlock } from './render-nft-filter.js';
import { nftSetName } from './render-nft.js';
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
