// The filter table's data as iptables text in Felix's words (felix/iptables/match_builder.go,
// actions.go), its `cali:` hashes (the same SHA-224 chain as hash.ts: generictables.RuleHashes,
// inserted rules under the chain's name, appended ones under "<chain>*appends*"), and the
// parts an apply puts together (runtime/agent/apply.sh, like the nat table's).
import { createHash } from 'node:crypto';
import { HASH_LENGTH } from './hash.js';
import type { FilterAction, FilterMatch, FilterRule, FilterTable } from './filter-types.js';

function hex(n: number): string {
  return n === 0 ? '0' : `0x${n.toString(16)}`;
}

export function renderFilterMatch(m: FilterMatch): string {
  const not = 'negate' in m && m.negate ? '! ' : '';
  switch (m.kind) {
    case 'inInterface':
      return `--in-interface ${m.name}`;
    case 'outInterface':
      return `--out-interface ${m.name}`;
    case 'markClear':
      return `-m mark --mark 0/${hex(m.mask)}`;
    case 'markNotClear':
      return `-m mark ! --mark 0/${hex(m.mask)}`;
    case 'markSet':
      return `-m mark --mark ${hex(m.mark)}/${hex(m.mark)}`;
    case 'ctstate':
      return `-m conntrack --ctstate ${m.states}`;
    case 'notCtstateDnat':
      return '-m conntrack ! --ctstate DNAT';
    case 'dstAddrTypeLocal':
      return '-m addrtype --dst-type LOCAL';
    case 'srcAddrTypeLocal':
      return '-m addrtype --src-type LOCAL';
    case 'protocol':
      return `${not}-p ${m.name}`;
    case 'protocolNum':
      return `${not}-p ${m.num}`;
    case 'srcNet':
      return `${not}--source ${m.cidr}`;
    case 'dstNet':
      return `${not}--destination ${m.cidr}`;
    case 'srcSet':
      return `-m set ${not}--match-set ${m.set} src`;
    case 'dstSet':
      return `-m set ${not}--match-set ${m.set} dst`;
    case 'srcPorts':
      return `-m multiport ${not}--source-ports ${m.ports}`;
    case 'dstPorts':
      return `-m multiport ${not}--destination-ports ${m.ports}`;
    case 'icmp':
      return `-m icmp --icmp-type ${m.code === undefined ? m.type : `${m.type}/${m.code}`}`;
    case 'icmp6':
      return `-m icmp6 --icmpv6-type ${m.code === undefined ? m.type : `${m.type}/${m.code}`}`;
  }
}

export function renderFilterAction(a: FilterAction): string {
  switch (a.kind) {
    case 'accept':
      return '--jump ACCEPT';
    case 'drop':
      return '--jump DROP';
    case 'return':
      return '--jump RETURN';
    case 'jump':
      return `--jump ${a.target}`;
    case 'goto':
      return `--goto ${a.target}`;
    case 'setMark':
      return `--jump MARK --set-mark ${hex(a.mark)}/${hex(a.mark)}`;
    case 'clearMark':
      return `--jump MARK --set-mark 0/${hex(a.mask)}`;
    case 'setMaskedMark':
      return `--jump MARK --set-mark ${hex(a.mark)}/${hex(a.mask)}`;
    case 'log':
      return `--jump LOG --log-prefix "${a.prefix}: " --log-level 5`;
    case 'none':
      return '';
  }
}

/** A rule's text after its chain and hash: "[comments] [match] [action]". */
export function filterRuleBody(rule: FilterRule): string {
  const parts: string[] = [];
  for (const c of rule.comments ?? [])
    parts.push(`-m comment --comment "${c.replace(/[^\w @%+=:,./-]/g, '_')}"`);
  const match = rule.match.map(renderFilterMatch).join(' ');
  if (match) parts.push(match);
  const action = renderFilterAction(rule.action);
  if (action) parts.push(action);
  return parts.join(' ');
}

/** renderFilterRule from a body already rendered (filterRuleBody). */
function ruleLine(verb: string, chain: string, body: string, hash: string): string {
  const head =
    hash === 'HASH'
      ? `${verb} ${chain} HASH`
      : hash !== ''
        ? `${verb} ${chain} -m comment --comment "cali:${hash}"`
        : `${verb} ${chain}`;
  return body ? `${head} ${body}` : head;
}

/** "<verb> <chain> [hash comment] [comments] [match] [action]" (renderInner). */
export function renderFilterRule(
  verb: string,
  chain: string,
  rule: FilterRule,
  hash: string,
): string {
  return ruleLine(verb, chain, filterRuleBody(rule), hash);
}

/** filterRuleHashes over bodies already rendered. */
function bodyHashes(chainName: string, bodies: readonly string[]): string[] {
  let h: Buffer = createHash('sha224').update(chainName).digest();
  return bodies.map((body) => {
    h = createHash('sha224')
      .update(h)
      .update(ruleLine('-A', chainName, body, 'HASH'))
      .digest();
    return h.toString('base64url').slice(0, HASH_LENGTH);
  });
}

export function filterRuleHashes(chainName: string, rules: readonly FilterRule[]): string[] {
  return bodyHashes(chainName, rules.map(filterRuleBody));
}

export interface HashedFilterRule {
  chain: string;
  index: number;
  hash: string;
  rule: FilterRule;
  placement: 'own' | 'insert' | 'append';
}

export function hashedFilterRules(t: FilterTable): HashedFilterRule[] {
  const out: HashedFilterRule[] = [];
  for (const i of t.inserts) {
    const hashes = filterRuleHashes(i.chain, i.rules);
    i.rules.forEach((rule, index) =>
      out.push({ chain: i.chain, index, hash: hashes[index]!, rule, placement: 'insert' }),
    );
  }
  for (const a of t.appends) {
    const hashes = filterRuleHashes(`${a.chain}*appends*`, a.rules);
    a.rules.forEach((rule, index) =>
      out.push({ chain: a.chain, index, hash: hashes[index]!, rule, placement: 'append' }),
    );
  }
  for (const c of t.chains) {
    const hashes = filterRuleHashes(c.name, c.rules);
    c.rules.forEach((rule, index) =>
      out.push({ chain: c.name, index, hash: hashes[index]!, rule, placement: 'own' }),
    );
  }
  return out;
}

export interface FilterRestoreParts {
  head: string; // `*filter` and one declaration per chain of ours (creates or flushes it)
  ownRules: string;
  kernelRules: string; // the FORWARD hooks: `-I FORWARD 1 …` and `-A FORWARD …`
}

function joinLines(lines: string[]): string {
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function renderFilterRestoreParts(t: FilterTable): FilterRestoreParts {
  // Each rule's body rendered once, for its hash and its line (thousands of rules with
  // many policies: rendering them twice and building a record per rule was most of the time).
  const lines = (verb: string, chain: string, hashName: string, rules: readonly FilterRule[]) => {
    const bodies = rules.map(filterRuleBody);
    const hashes = bodyHashes(hashName, bodies);
    return bodies.map((b, i) => ruleLine(verb, chain, b, hashes[i]!));
  };
  const kernel: string[] = [];
  // Inserted at position 1 in reverse, so they end up in order at the top.
  for (const i of [...t.inserts].reverse())
    kernel.push(...lines('-I', `${i.chain} 1`, i.chain, i.rules).reverse());
  for (const a of t.appends) kernel.push(...lines('-A', a.chain, `${a.chain}*appends*`, a.rules));
  const own: string[] = [];
  for (const c of t.chains) for (const l of lines('-A', c.name, c.name, c.rules)) own.push(l);
  return {
    head: joinLines(['*filter', ...t.chains.map((c) => `:${c.name} - [0:0]`)]),
    ownRules: joinLines(own),
    kernelRules: joinLines(kernel),
  };
}

/** The whole table as `iptables-restore --noflush` input for a namespace without our rules. */
export function renderIptablesFilter(t: FilterTable): string {
  const p = renderFilterRestoreParts(t);
  return `${p.head}${p.kernelRules}${p.ownRules}COMMIT\n`;
}

/** Rendered rule lines in table order, for diffs. */
export function filterLines(t: FilterTable): string[] {
  return hashedFilterRules(t).map((r) =>
    renderFilterRule(r.placement === 'insert' ? '-I' : '-A', r.chain, r.rule, r.hash),
  );
}
