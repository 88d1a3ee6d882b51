// The same NAT data rendered as Felix's nftables mode programs it (FelixConfiguration
// nftablesMode: Enabled). What we follow in Calico's source:
// - felix/dataplane/linux/int_dataplane.go: one table `calico` of family `ip` for IPv4 holds
//   every logical table as a "layer"; the ipsets become named sets of that table, and Felix
//   sweeps its iptables rules and ipsets away when nftables mode is on.
// - felix/nftables/table_layer.go: a layer prefixes its chains and jump targets with its name,
//   so cali-nat-outgoing is `nat-cali-nat-outgoing` and POSTROUTING `nat-POSTROUTING`.
// - felix/nftables/table.go: base chains and their hooks (nat POSTROUTING: type nat, priority
//   srcnat + 10); rules appended to a base chain hash under "<chain>*appends*".
// - felix/nftables/renderer.go: a rule is "<matches> counter <action>", its comment
//   "cali:<hash>;", and the hash chains SHA-224 over the (prefixed) chain name and that text
//   (generictables.RuleHashes), so the rule identities differ from iptables mode's.
// - felix/nftables/match_builder.go and actions.go: `ip saddr @set`, `ip daddr != @set`,
//   `meta l4proto tcp`, `oifname X`, `ct state a,b`, `jump`, `return`,
//   `masquerade [to :ports] fully-random`, `snat to A[:ports] fully-random`.
// - felix/nftables/ipsets.go: a hash:net set is `type ipv4_addr; flags interval`, a hash:ip one
//   has no interval flag; names keep their cali40 prefix (':' would become '-').
// - IPv6 (dual-stack labs): Felix makes a second `calico` table of family `ip6` with the same
//   layers, base chains and renderer; the matches say `ip6 saddr`, the sets are `ipv6_addr`
//   and named cali60… (render-nft6.ts; the `version` parameters below).
// Left out, as in iptables mode: chains and base chains this lab does not use (filter, mangle,
// raw, the other nat hooks). The lab's own keeper (NatTable.labChains) is needed here too, in
// a table of its own (`ip egress-lab`): a nat base chain does not keep conntrack on, only the
// nat and ct expressions of rules do, so without it turning natOutgoing off (the masquerade
// rule gone) would switch tracking off and running flows would lose their NAT at once.
import { createHash } from 'node:crypto';
import { HASH_LENGTH } from './hash.js';
import type { IpVersion } from './felix-nat.js';
import type { Action, IpSet, MatchCriterion, NatTable, NodeDataplane, Rule } from './types.js';

export const NFT_FAMILY = 'ip';
export const NFT_TABLE = 'calico';
/** The lab's own table (not Felix's): its keeper chain, see NatTable.labChains. */
export const NFT_LAB_TABLE = 'egress-lab';
const LAYER = 'nat';

/**
 * Felix's family per IP version: one `calico` table each (int_dataplane.go:
 * nftables.NewTable("calico", 4|6); table.go NewTable picks knftables.IPv4Family or
 * IPv6Family), and match_builder.go's insertIPVersion writes `ip` or `ip6` in the matches.
 */
export function nftFamily(version: IpVersion = 4): 'ip' | 'ip6' {
  return version === 6 ? 'ip6' : 'ip';
}
/** knftables.CommentLengthMax */
const COMMENT_MAX = 128;

/** Base chains Felix defines for the nat layer: hook, priority (felix/nftables/table.go). */
const NAT_BASE_CHAINS: Record<string, string> = {
  PREROUTING: 'type nat hook prerouting priority dstnat; policy accept;',
  INPUT: 'type nat hook input priority dstnat; policy accept;',
  OUTPUT: 'type nat hook output priority srcnat + 10; policy accept;',
  POSTROUTING: 'type nat hook postrouting priority srcnat + 10; policy accept;',
};

/** tableLayer.namespaceName: the layer's prefix, unless the name already starts with it. */
export function nftChainName(chain: string): string {
  return chain.startsWith(LAYER) ? chain : `${LAYER}-${chain}`;
}

/** LegalizeSetName: nft set names cannot hold ':'. */
export function nftSetName(name: string): string {
  return name.replaceAll(':', '-');
}

const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const IFACE = /^[A-Za-z0-9:._-]{1,15}\+?$/;
const ELEMENT = /^[0-9.]+(\/\d{1,2})?$/;
const ELEMENT6 = /^[0-9a-fA-F:]+(\/\d{1,3})?$/;

function checkName(n: string): string {
  if (!NAME.test(n)) throw new Error(`bad nft name "${n}"`);
  return n;
}

/** One criterion in Felix's nftables words. */
export function renderNftMatch(m: MatchCriterion, version: IpVersion = 4): string {
  const ne = m.negate ? '!= ' : '';
  const ip = nftFamily(version);
  switch (m.kind) {
    case 'srcSet':
      return `${ip} saddr ${ne}@${checkName(nftSetName(m.set))}`;
    case 'dstSet':
      return `${ip} daddr ${ne}@${checkName(nftSetName(m.set))}`;
    case 'protocol':
      return `meta l4proto ${ne}${m.name}`;
    case 'ctstate':
      return `ct state ${ne}${m.states.map((s) => s.toLowerCase()).join(',')}`;
    case 'protocolNum':
      return `meta l4proto ${ne}${m.num}`;
    case 'srcAddrType':
      // felix/nftables/match_builder.go SrcAddrType / NotSrcAddrType.
      return `fib saddr${m.limitIfaceOut ? ' . oif' : ''} type ${ne}${m.addrType.toLowerCase()}`;
    case 'outInterface': {
      if (!IFACE.test(m.name)) throw new Error(`bad interface match "${m.name}"`);
      // Felix passes the filter through as written; nft cannot parse iptables' "eth+"
      // wildcard, so a trailing "+" becomes nft's quoted "eth*" (the same interfaces).
      const name = m.name.endsWith('+') ? `"${m.name.slice(0, -1)}*"` : m.name;
      return `oifname ${ne}${name}`;
    }
  }
}

const PORTS = /^\d{1,5}-\d{1,5}$/;
const SOURCE = /^\d{1,3}(\.\d{1,3}){3}(:\d{1,5}-\d{1,5})?$/;

/** Felix's nftables Action.ToFragment() (fully-random detected, as on any recent kernel). */
export function renderNftAction(a: Action): string {
  switch (a.kind) {
    case 'jump':
      return `jump ${checkName(nftChainName(a.target))}`;
    case 'return':
      return 'return';
    case 'masquerade': {
      if (a.toPorts !== undefined && !PORTS.test(a.toPorts))
        throw new Error(`bad port range "${a.toPorts}"`);
      const to = a.toPorts ? ` to :${a.toPorts}` : '';
      return `masquerade${to}${a.randomFully ? ' fully-random' : ''}`;
    }
    case 'snat':
      if (!SOURCE.test(a.toSource)) throw new Error(`bad snat source "${a.toSource}"`);
      return `snat to ${a.toSource}${a.randomFully ? ' fully-random' : ''}`;
  }
}

/** nftRenderer.renderRule: the text Felix hashes and programs (without the comment). */
export function renderNftRuleText(rule: Rule, version: IpVersion = 4): string {
  const match = rule.match.map((m) => renderNftMatch(m, version));
  return [...match, 'counter', renderNftAction(rule.action)].join(' ');
}

/** generictables.RuleHashes over the nft rendering. */
export function nftRuleHashes(chain: string, rules: Rule[], version: IpVersion = 4): string[] {
  let h: Buffer = createHash('sha224').update(chain).digest();
  return rules.map((rule) => {
    h = createHash('sha224').update(h).update(renderNftRuleText(rule, version)).digest();
    return h.toString('base64url').slice(0, HASH_LENGTH);
  });
}

/** nftRenderer.comment: "cali:<hash>;" then the rule's own comments, escaped, within 128 characters. */
export function nftComment(hash: string, comments: readonly string[] = []): string {
  const parts = hash ? [`cali:${hash};`] : [];
  if (comments.length) {
    const per = Math.floor((COMMENT_MAX - parts.join(' ').length) / comments.length);
    for (const c of comments) parts.push(c.replace(/[^\w @%+=:,./-]/g, '_').slice(0, per));
  }
  return parts.join(' ').slice(0, COMMENT_MAX);
}

export interface NftRule {
  chain: string; // the nft chain, e.g. "nat-cali-nat-outgoing"
  index: number;
  hash: string;
  rule: Rule;
  appended: boolean; // in a base chain (Felix's hook)
  /** The rule as `nft list` shows it, without counter values: "<text> comment \"cali:…;\"". */
  text: string;
}

/** Every rule of the table with its nft hash: Felix's chains, then the base chains' hooks. */
export function nftHashedRules(nat: NatTable, version: IpVersion = 4): NftRule[] {
  const out: NftRule[] = [];
  const add = (chain: string, rules: Rule[], hashName: string, appended: boolean): void => {
    const hashes = nftRuleHashes(hashName, rules, version);
    rules.forEach((rule, index) => {
      const hash = hashes[index]!;
      const comment = nftComment(hash, rule.comments);
      const text = `${renderNftRuleText(rule, version)}${comment ? ` comment "${comment}"` : ''}`;
      out.push({ chain, index, hash, rule, appended, text });
    });
  };
  for (const c of nat.chains) {
    const name = nftChainName(c.name);
    add(name, c.rules, name, false);
  }
  for (const a of nat.appends) {
    const name = nftChainName(a.chain);
    add(name, a.rules, `${name}*appends*`, true);
  }
  return out;
}

/** ipsets.go setType: ipv4_addr or ipv6_addr by the set's family. */
function setAddrType(set: IpSet): string {
  return set.family === 'inet6' ? 'ipv6_addr' : 'ipv4_addr';
}

function renderSet(set: IpSet): string[] {
  const name = checkName(nftSetName(set.name));
  const element = set.family === 'inet6' ? ELEMENT6 : ELEMENT;
  const bad = set.members.find((m) => !element.test(m));
  if (bad !== undefined) throw new Error(`set ${set.name}: bad element "${bad}"`);
  const flags = set.type === 'hash:net' ? ' flags interval;' : '';
  const elements = set.members.length ? ` elements = { ${set.members.join(', ')} }` : '';
  return [`\tset ${name} { type ${setAddrType(set)};${flags}${elements} }`];
}

/** The node's `table ip calico` as an `nft -f` block: its sets, base chains and Felix's chains. */
export function renderNftRuleset(
  dp: Pick<NodeDataplane, 'ipsets' | 'nat'>,
  version: IpVersion = 4,
): string {
  const rules = nftHashedRules(dp.nat, version);
  const lines = [`table ${nftFamily(version)} ${NFT_TABLE} {`];
  for (const s of dp.ipsets) lines.push(...renderSet(s));
  const chain = (name: string, head: string | undefined): void => {
    lines.push(`\tchain ${checkName(name)} {`);
    if (head) lines.push(`\t\t${head}`);
    for (const r of rules.filter((x) => x.chain === name)) lines.push(`\t\t${r.text}`);
    lines.push('\t}');
  };
  for (const a of dp.nat.appends) {
    const head = NAT_BASE_CHAINS[a.chain];
    if (!head) throw new Error(`no nat base chain for ${a.chain}`);
    chain(nftChainName(a.chain), head);
  }
  for (const c of dp.nat.chains) chain(nftChainName(c.name), undefined);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * `nft -f` input that makes the table exactly the plan, in the parts an apply puts together
 * (runtime/agent/apply.sh), all in one transaction: `prep` declares the table and each set
 * (a no-op when they exist), then empties every chain (`flush table`) and set; the apply adds
 * `delete` lines for chains and sets the plan no longer has; `table` declares the rest. The
 * table and its nat base chain are never deleted: removing the last NAT hook of a namespace
 * makes the kernel drop the NAT of every tracked flow, and running flows must keep theirs
 * (Felix, too, rewrites chains in place).
 */
export interface NftApplyParts {
  prep: string;
  table: string;
}

export function renderNftApplyParts(
  dp: Pick<NodeDataplane, 'ipsets' | 'nat'>,
  version: IpVersion = 4,
): NftApplyParts {
  const t = `${nftFamily(version)} ${NFT_TABLE}`;
  const prep = [`add table ${t}`, `flush table ${t}`];
  for (const s of dp.ipsets) {
    const name = checkName(nftSetName(s.name));
    const flags = s.type === 'hash:net' ? ' flags interval;' : '';
    prep.push(`add set ${t} ${name} { type ${setAddrType(s)};${flags} }`, `flush set ${t} ${name}`);
  }
  const lab = dp.nat.labChains ?? [];
  if (!lab.length) return { prep: `${prep.join('\n')}\n`, table: renderNftRuleset(dp, version) };
  const l = `${nftFamily(version)} ${NFT_LAB_TABLE}`;
  prep.push(`add table ${l}`, `flush table ${l}`);
  const keeper = [`table ${l} {`];
  for (const c of lab) {
    keeper.push(`\tchain ${checkName(c.name)} {`);
    for (const r of c.rules) {
      const comment = nftComment('', r.comments);
      keeper.push(`\t\t${renderNftRuleText(r, version)}${comment ? ` comment "${comment}"` : ''}`);
    }
    keeper.push('\t}');
  }
  keeper.push('}');
  return {
    prep: `${prep.join('\n')}\n`,
    table: `${renderNftRuleset(dp, version)}${keeper.join('\n')}\n`,
  };
}

/** The whole transaction as a node without stale chains or sets takes it. */
export function renderNftApply(
  dp: Pick<NodeDataplane, 'ipsets' | 'nat'>,
  version: IpVersion = 4,
): string {
  const p = renderNftApplyParts(dp, version);
  return p.prep + p.table;
}

/** One line per rule, as `nft add rule` takes it: base chains first, for diffs. */
export function nftRuleLines(nat: NatTable, version: IpVersion = 4): string[] {
  const rules = nftHashedRules(nat, version);
  return [...rules.filter((r) => r.appended), ...rules.filter((r) => !r.appended)].map(
    (r) => `add rule ${nftFamily(version)} ${NFT_TABLE} ${r.chain} ${r.text}`,
  );
}
