// The filter table's data (filter-types.ts) as Felix's nftables mode programs it, in the
// `filter` layer of table `ip calico`. What we follow in Calico's source:
// - felix/nftables/table_layer.go: the layer prefixes chains and jump targets ("filter-cali-FORWARD").
// - felix/nftables/table.go: base chain filter-FORWARD is `type filter hook forward priority
//   filter`; inserted rules hash under the chain's name, appended ones under "<chain>*appends*".
// - felix/nftables/match_builder.go: `meta mark & M == V`, `iifname X`, `ct state a,b`,
//   `ip saddr @set`, `<tcp|udp|sctp> dport { 80, 90-99 }`, `icmp type T code C`; and
//   Felix's interface wildcard "*" (rules/static.go ifaceMatch: prefix + r.wildcard).
// - felix/nftables/actions.go: accept, drop, return, jump, goto, `meta mark set mark or M`,
//   `meta mark set mark & ~M`, `meta mark set mark & ~mask ^ M`, `log prefix "P: " level info`.
// - felix/nftables/renderer.go: "<matches> counter <action>", a rule without action no counter,
//   an empty rule `continue`; the `cali:<hash>;` comment (nftComment in render-nft.ts).
// - felix/rules/dispatch.go buildSingleDispatchChainsVMAP + DispatchMappings: in nftables mode
//   the workload dispatch chains are one rule each, a verdict map lookup
//   (`iifname vmap @filter-cali-from-wl-dispatch`, element "<iface> : goto filter-cali-fw-<iface>"),
//   then the end rules; there is no interface prefix tree.
import { createHash } from 'node:crypto';
import { CHAIN_FROM_WL_DISPATCH, CHAIN_TO_WL_DISPATCH } from './filter-felix.js';
import type { FilterAction, FilterMatch, FilterRule, FilterTable } from './filter-types.js';
import { HASH_LENGTH } from './hash.js';
import {
  NFT_FAMILY,
  NFT_TABLE,
  nftComment,
  nftSetName,
  renderNftApplyParts,
  renderNftRuleset,
  type NftApplyParts,
} from './render-nft.js';
import type { NodeDataplane } from './types.js';

const LAYER = 'filter';
/** Base chains Felix defines for the filter layer (felix/nftables/table.go). */
const FILTER_BASE_CHAINS: Record<string, string> = {
  FORWARD: 'type filter hook forward priority filter; policy accept;',
  INPUT: 'type filter hook input priority filter; policy accept;',
  OUTPUT: 'type filter hook output priority filter; policy accept;',
};

// nft identifiers take "/" too (its scanner: letter or _ then letters, digits, / - _ .).
const NAME = /^[A-Za-z][A-Za-z0-9_./-]{0,127}$/;
const IFACE = /^[A-Za-z0-9._-]{1,15}\+?$/;
const CIDR = /^[0-9.]+(\/\d{1,2})?$/;
const CIDR6 = /^[0-9a-fA-F:]+(\/\d{1,3})?$/;
const PORTS = /^\d{1,5}(:\d{1,5})?(,\d{1,5}(:\d{1,5})?)*$/;
const STATES = /^[A-Z]+(,[A-Z]+)*$/;
const LOG_PREFIX = /^[A-Za-z0-9 _.:-]{0,64}$/;

function checked(re: RegExp, what: string, v: string): string {
  if (!re.test(v)) throw new Error(`bad ${what} "${v}"`);
  return v;
}

/** tableLayer.namespaceName for the filter layer. */
export function nftFilterChainName(chain: string): string {
  return checked(NAME, 'nft name', chain.startsWith(LAYER) ? chain : `${LAYER}-${chain}`);
}

function hex(n: number): string {
  // Go's %#x: "0" for zero, else 0x… in lower case.
  return n === 0 ? '0' : `0x${(n >>> 0).toString(16)}`;
}

function iface(name: string): string {
  checked(IFACE, 'interface', name);
  return name.endsWith('+') ? `${name.slice(0, -1)}*` : name;
}

/** multiport text "80,90:99" as PortRangesToMultiport's "{ 80, 90-99 }". */
function ports(text: string): string {
  return `{ ${checked(PORTS, 'ports', text).split(',').join(', ').replaceAll(':', '-')} }`;
}

/** transportProto: the port match's protocol, from the rule's protocol match. */
function transport(match: readonly FilterMatch[]): string {
  for (const m of match) {
    if (m.kind === 'protocol' && !m.negate && ['tcp', 'udp', 'sctp'].includes(m.name))
      return m.name;
    if (m.kind === 'protocolNum' && !m.negate) {
      const name = { 6: 'tcp', 17: 'udp', 132: 'sctp' }[m.num];
      if (name) return name;
    }
  }
  throw new Error('a port match needs a TCP, UDP or SCTP protocol match');
}

/** Felix's nftables address family: `ip` (table ip calico) or `ip6` (table ip6 calico). */
export type NftFilterFamily = 'ip' | 'ip6';

export function renderNftFilterMatch(
  m: FilterMatch,
  rule: readonly FilterMatch[],
  family: NftFilterFamily = 'ip',
): string {
  const ne = 'negate' in m && m.negate ? '!= ' : '';
  const net = family === 'ip6' ? CIDR6 : CIDR;
  switch (m.kind) {
    case 'inInterface':
      return `iifname ${iface(m.name)}`;
    case 'outInterface':
      return `oifname ${iface(m.name)}`;
    case 'markClear':
      return `meta mark & ${hex(m.mask)} == 0`;
    case 'markNotClear':
      return `meta mark & ${hex(m.mask)} != 0`;
    case 'markSet':
      return `meta mark & ${hex(m.mark)} == ${hex(m.mark)}`;
    case 'ctstate':
      return `ct state ${checked(STATES, 'ctstate', m.states).toLowerCase()}`;
    case 'notCtstateDnat':
      return 'ct status != dnat';
    case 'dstAddrTypeLocal':
      return 'fib daddr type local';
    case 'srcAddrTypeLocal':
      return 'fib saddr type local';
    case 'protocol':
      return `meta l4proto ${ne}${checked(/^[a-z0-9]+$/, 'protocol', m.name)}`;
    case 'protocolNum':
      return `meta l4proto ${ne}${m.num}`;
    case 'srcNet':
      return `${family} saddr ${ne}${checked(net, 'net', m.cidr)}`;
    case 'dstNet':
      return `${family} daddr ${ne}${checked(net, 'net', m.cidr)}`;
    case 'srcSet':
      return `${family} saddr ${ne}@${checked(NAME, 'set', nftSetName(m.set))}`;
    case 'dstSet':
      return `${family} daddr ${ne}@${checked(NAME, 'set', nftSetName(m.set))}`;
    case 'srcPorts':
      return `${transport(rule)} sport ${ne}${ports(m.ports)}`;
    case 'dstPorts':
      return `${transport(rule)} dport ${ne}${ports(m.ports)}`;
    case 'icmp':
      return m.code === undefined ? `icmp type ${m.type}` : `icmp type ${m.type} code ${m.code}`;
    case 'icmp6':
      return m.code === undefined
        ? `icmpv6 type ${m.type}`
        : `icmpv6 type ${m.type} code ${m.code}`;
  }
}

export function renderNftFilterAction(a: FilterAction): string {
  switch (a.kind) {
    case 'accept':
      return 'accept';
    case 'drop':
      return 'drop';
    case 'return':
      return 'return';
    case 'jump':
      return `jump ${nftFilterChainName(a.target)}`;
    case 'goto':
      return `goto ${nftFilterChainName(a.target)}`;
    case 'setMark':
      return `meta mark set mark or ${hex(a.mark)}`;
    case 'clearMark':
      return `meta mark set mark & ${hex(~a.mask)}`;
    case 'setMaskedMark':
      return `meta mark set mark & ${hex(~a.mask)} ^ ${hex(a.mark)}`;
    case 'log':
      return `log prefix "${checked(LOG_PREFIX, 'log prefix', a.prefix)}: " level info`;
    case 'none':
      return '';
  }
}

/** nftRenderer.renderRule. */
export function renderNftFilterRuleText(rule: FilterRule, family: NftFilterFamily = 'ip'): string {
  const parts = rule.match.map((m) => renderNftFilterMatch(m, rule.match, family));
  if (rule.action.kind !== 'none') parts.push('counter', renderNftFilterAction(rule.action));
  return parts.length ? parts.join(' ') : 'continue';
}

/** A rule as nft text, before hashing (the vmap dispatch rules have no FilterRule form). */
interface TextRule {
  text: string;
  comments?: string[];
  rule?: FilterRule;
}

export interface NftFilterRule {
  chain: string; // the nft chain, e.g. "filter-cali-fw-cali12345"
  index: number;
  hash: string;
  /** The rule's data; absent for a dispatch chain's vmap lookup. */
  rule?: FilterRule;
  placement: 'own' | 'insert' | 'append';
  /** The rule as `nft list` shows it, without counter values. */
  text: string;
}

export interface NftFilterMap {
  name: string; // "filter-cali-from-wl-dispatch"
  elements: [string, string][]; // interface → verdict
}

export interface NftFilterLayer {
  /** Base chains (nft name → hook declaration) and the rest, in Felix's order. */
  baseChains: { name: string; head: string }[];
  chains: string[];
  rules: NftFilterRule[];
  maps: NftFilterMap[];
}

function hashRules(hashName: string, rules: readonly TextRule[]): string[] {
  let h: Buffer = createHash('sha224').update(hashName).digest();
  return rules.map((r) => {
    h = createHash('sha224').update(h).update(r.text).digest();
    return h.toString('base64url').slice(0, HASH_LENGTH);
  });
}

/** The interface → endpoint chain leaves of a dispatch tree rooted at `root`. */
function dispatchLeaves(t: FilterTable, root: string): [string, string][] {
  const byName = new Map(t.chains.map((c) => [c.name, c]));
  const out: [string, string][] = [];
  const walk = (name: string): void => {
    for (const r of byName.get(name)?.rules ?? []) {
      const m = r.match[0];
      if (r.action.kind !== 'goto' || !m || (m.kind !== 'inInterface' && m.kind !== 'outInterface'))
        continue;
      if (r.action.target.startsWith(`${root}-`)) walk(r.action.target);
      else out.push([iface(m.name), `goto ${nftFilterChainName(r.action.target)}`]);
    }
  };
  walk(root);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function isDispatchChild(name: string): boolean {
  return [CHAIN_FROM_WL_DISPATCH, CHAIN_TO_WL_DISPATCH].some((r) => name.startsWith(`${r}-`));
}

/** The filter table as Felix's nftables filter layer: chains, hashed rules, verdict maps. */
export function nftFilterLayer(t: FilterTable, family: NftFilterFamily = 'ip'): NftFilterLayer {
  const rules: NftFilterRule[] = [];
  const add = (
    chain: string,
    list: TextRule[],
    hashName: string,
    placement: NftFilterRule['placement'],
  ) => {
    const hashes = hashRules(hashName, list);
    list.forEach((r, index) => {
      const hash = hashes[index]!;
      const comment = nftComment(hash, r.comments);
      const text = `${r.text}${comment ? ` comment "${comment}"` : ''}`;
      rules.push({ chain, index, hash, ...(r.rule ? { rule: r.rule } : {}), placement, text });
    });
  };
  const textRule = (rule: FilterRule): TextRule => ({
    text: renderNftFilterRuleText(rule, family),
    ...(rule.comments ? { comments: rule.comments } : {}),
    rule,
  });

  const baseChains: NftFilterLayer['baseChains'] = [];
  const kernelChains = [...new Set([...t.inserts, ...t.appends].map((x) => x.chain))];
  for (const k of kernelChains) {
    const head = FILTER_BASE_CHAINS[k];
    if (!head) throw new Error(`no filter base chain for ${k}`);
    const name = nftFilterChainName(k);
    baseChains.push({ name, head });
    const ins = t.inserts.filter((i) => i.chain === k).flatMap((i) => i.rules);
    const app = t.appends.filter((a) => a.chain === k).flatMap((a) => a.rules);
    add(name, ins.map(textRule), name, 'insert');
    add(name, app.map(textRule), `${name}*appends*`, 'append');
  }

  const maps: NftFilterMap[] = [];
  const chains: string[] = [];
  for (const c of t.chains) {
    if (isDispatchChild(c.name)) continue;
    const name = nftFilterChainName(c.name);
    chains.push(name);
    const dispatch =
      c.name === CHAIN_FROM_WL_DISPATCH
        ? 'iifname'
        : c.name === CHAIN_TO_WL_DISPATCH
          ? 'oifname'
          : undefined;
    if (!dispatch) {
      add(name, c.rules.map(textRule), name, 'own');
      continue;
    }
    // The tree's end rules (no interface match) stay after the map lookup.
    maps.push({ name, elements: dispatchLeaves(t, c.name) });
    const end = c.rules.filter(
      (r) => !r.match.some((m) => m.kind === 'inInterface' || m.kind === 'outInterface'),
    );
    add(name, [{ text: `${dispatch} vmap @${name}` }, ...end.map(textRule)], name, 'own');
  }
  return { baseChains, chains, rules, maps };
}

/** The layer's declarations inside `table ip calico { … }`: maps, base chains, chains. */
export function renderNftFilterBlock(layer: NftFilterLayer): string[] {
  const lines: string[] = [];
  for (const m of layer.maps) {
    const el = m.elements.length
      ? ` elements = { ${m.elements.map(([k, v]) => `${k} : ${v}`).join(', ')} }`
      : '';
    lines.push(`\tmap ${m.name} { type ifname : verdict;${el} }`);
  }
  const chain = (name: string, head: string | undefined): void => {
    lines.push(`\tchain ${name} {`);
    if (head) lines.push(`\t\t${head}`);
    for (const r of layer.rules.filter((x) => x.chain === name)) lines.push(`\t\t${r.text}`);
    lines.push('\t}');
  };
  for (const b of layer.baseChains) chain(b.name, b.head);
  for (const c of layer.chains) chain(c, undefined);
  return lines;
}

/** `nft -f` lines that declare and empty the layer's maps (a no-op declaration when they exist). */
export function nftFilterPrep(layer: NftFilterLayer, table: string): string[] {
  return layer.maps.flatMap((m) => [
    `add map ${table} ${m.name} { type ifname : verdict; }`,
    `flush map ${table} ${m.name}`,
  ]);
}

/**
 * renderNftApplyParts (render-nft.ts) with the filter layer when the node has policy: the
 * layer's chains and maps go into the same `table ip calico` (a second block of the same
 * table in the same `nft -f`), so NAT and policy change in one transaction.
 */
export function renderNftApplyPartsWithFilter(
  dp: Pick<NodeDataplane, 'ipsets' | 'nat' | 'filter'>,
): NftApplyParts {
  const parts = renderNftApplyParts(dp);
  if (!dp.filter) return parts;
  const layer = nftFilterLayer(dp.filter);
  const t = `${NFT_FAMILY} ${NFT_TABLE}`;
  return {
    prep: `${parts.prep}${nftFilterPrep(layer, t)
      .map((l) => `${l}\n`)
      .join('')}`,
    table: `${parts.table}table ${t} {\n${renderNftFilterBlock(layer).join('\n')}\n}\n`,
  };
}

/** One line per rule, as `nft add rule` takes it (base chain first), for diffs. */
export function nftFilterRuleLines(t: FilterTable): string[] {
  const rules = nftFilterLayer(t).rules;
  return [
    ...rules.filter((r) => r.placement !== 'own'),
    ...rules.filter((r) => r.placement === 'own'),
  ].map((r) => `add rule ${NFT_FAMILY} ${NFT_TABLE} ${r.chain} ${r.text}`);
}

/** renderNftRuleset (render-nft.ts) with the filter layer, as the Rules screen shows a node. */
export function renderNftRulesetWithFilter(
  dp: Pick<NodeDataplane, 'ipsets' | 'nat' | 'filter'>,
): string {
  const base = renderNftRuleset(dp);
  if (!dp.filter) return base;
  const block = renderNftFilterBlock(nftFilterLayer(dp.filter)).join('\n');
  return `${base}table ${NFT_FAMILY} ${NFT_TABLE} {\n${block}\n}\n`;
}

/** The nft hash of the filter rule in `chain` (iptables name) whose origin `pick` accepts. */
export function nftFilterHash(
  t: FilterTable,
  chain: string,
  pick: (origin: NonNullable<FilterRule['origin']>) => boolean,
): string | undefined {
  const name = nftFilterChainName(chain);
  return nftFilterLayer(t).rules.find(
    (r) => r.chain === name && r.rule && pick(r.rule.origin ?? {}),
  )?.hash;
}
