// The nat table as `iptables-restore --noflush` input, and as `iptables-save` shows it.
//
// Idempotency: a `:chain - [0:0]` line for a user chain creates it or flushes it, so the
// cali- chains are rewritten whole on every apply. The POSTROUTING hook lives in a chain we
// do not own and must not flush, so a blind `-A POSTROUTING` would add a copy per apply.
// Like Felix (which reads `iptables-save` before writing), renderIptablesNat takes the
// current `iptables-save -t nat` output and emits exactly the `-A`/`-D` lines that leave
// one copy of each hook, all in the same atomic COMMIT.
import { appendRuleHashes, ruleHashes } from './hash.js';
import { renderAppendFelix, renderSaveLine } from './iptables-text.js';
import type { NatTable, Rule } from './types.js';

export interface HashedRule {
  chain: string;
  index: number; // 0-based within the chain (appends: within our appended rules)
  hash: string;
  rule: Rule;
  appended: boolean;
}

/** Every rule of the table with its cali: hash, chains first then appends. */
export function hashedRules(nat: NatTable): HashedRule[] {
  const out: HashedRule[] = [];
  for (const c of nat.chains) {
    const hashes = ruleHashes(c.name, c.rules);
    c.rules.forEach((rule, index) =>
      out.push({ chain: c.name, index, hash: hashes[index]!, rule, appended: false }),
    );
  }
  for (const a of nat.appends) {
    const hashes = appendRuleHashes(a.chain, a.rules);
    a.rules.forEach((rule, index) =>
      out.push({ chain: a.chain, index, hash: hashes[index]!, rule, appended: true }),
    );
  }
  return out;
}

/** How many rules of `chain` carry `cali:<hash>` in an `iptables-save` dump. */
export function countHookCopies(iptablesSave: string, chain: string, hash: string): number {
  let n = 0;
  for (const line of iptablesSave.split('\n')) {
    if (line.startsWith(`-A ${chain} `) && line.includes(`cali:${hash}`)) n++;
  }
  return n;
}

/**
 * `iptables-restore --noflush` input for the nat table.
 * @param currentSave output of `iptables-save -t nat` in the container right now; leave it
 *   out for a namespace that has no Calico rules yet (a fresh container).
 */
export function renderIptablesNat(nat: NatTable, currentSave = ''): string {
  const lines = ['*nat'];
  for (const c of [...nat.chains, ...(nat.labChains ?? [])]) lines.push(`:${c.name} - [0:0]`);
  const rules = hashedRules(nat);
  for (const r of rules.filter((x) => !x.appended))
    lines.push(renderAppendFelix(r.chain, r.rule, r.hash));
  for (const c of nat.labChains ?? [])
    for (const rule of c.rules) lines.push(renderAppendFelix(c.name, rule, ''));
  for (const r of rules.filter((x) => x.appended)) {
    const copies = countHookCopies(currentSave, r.chain, r.hash);
    const spec = renderAppendFelix(r.chain, r.rule, r.hash).slice(3); // "<chain> ..." without "-A "
    if (copies === 0) lines.push(`-A ${spec}`);
    for (let i = 1; i < copies; i++) lines.push(`-D ${spec}`);
  }
  lines.push('COMMIT');
  return `${lines.join('\n')}\n`;
}

/** The table in `iptables-save -t nat` style (our chains and hooks only), for display. */
export function renderIptablesSave(nat: NatTable): string {
  const lines = ['*nat'];
  for (const a of nat.appends) lines.push(`:${a.chain} ACCEPT [0:0]`);
  for (const c of [...nat.chains, ...(nat.labChains ?? [])]) lines.push(`:${c.name} - [0:0]`);
  const rules = hashedRules(nat);
  // iptables-save lists the kernel chains' rules first, then user chains.
  for (const r of rules.filter((x) => x.appended))
    lines.push(renderSaveLine(r.chain, r.rule, r.hash));
  for (const r of rules.filter((x) => !x.appended))
    lines.push(renderSaveLine(r.chain, r.rule, r.hash));
  for (const c of nat.labChains ?? [])
    for (const rule of c.rules) lines.push(renderSaveLine(c.name, rule, ''));
  lines.push('COMMIT');
  return `${lines.join('\n')}\n`;
}

/** Rendered rule lines (iptables-save style) in table order, for diffs. */
export function saveLines(nat: NatTable): string[] {
  const rules = hashedRules(nat);
  return [...rules.filter((x) => x.appended), ...rules.filter((x) => !x.appended)].map((r) =>
    renderSaveLine(r.chain, r.rule, r.hash),
  );
}
