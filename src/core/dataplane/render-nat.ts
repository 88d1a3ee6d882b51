// The nat table as `iptables-restore --noflush` input (in parts, for the apply), and as
// `iptables-save` shows it (display, diffs). Pure: the reconciliation with the live table
// (deleting the previous hooks) happens inside the container, in runtime/agent/apply.sh.
import { appendRuleHashes, ruleHashes } from './hash.js';
import { renderAppendFelix, renderSaveLine } from './iptables-text.js';
import { kubeSaveLines, renderKubeRestoreParts } from './kube-proxy-text.js';
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

/**
 * `iptables-restore --noflush` input for the nat table, in the parts an apply puts together
 * (runtime/agent/apply.sh): a `:chain - [0:0]` line creates or flushes a user chain, so our
 * chains are rewritten whole by `head` + `ownRules`; the hooks in kernel chains (`kernelRules`,
 * e.g. the POSTROUTING jump) live in chains we must not flush, so the apply first deletes the
 * previous copies (the `cali:` rules it finds there) in the same transaction. Then `COMMIT`.
 */
export interface NatRestoreParts {
  head: string; // `*nat` and one declaration per chain of ours
  ownRules: string; // `-A` lines of our chains (Felix's cali- chains, then the lab's)
  kernelRules: string; // `-A` lines appended to kernel chains (Felix's hooks)
}

export function renderNatRestoreParts(nat: NatTable): NatRestoreParts {
  const rules = hashedRules(nat);
  const own = rules
    .filter((x) => !x.appended)
    .map((r) => renderAppendFelix(r.chain, r.rule, r.hash));
  for (const c of nat.labChains ?? [])
    for (const rule of c.rules) own.push(renderAppendFelix(c.name, rule, ''));
  const kernel = rules
    .filter((x) => x.appended)
    .map((r) => renderAppendFelix(r.chain, r.rule, r.hash));
  const decl = [...nat.chains, ...(nat.labChains ?? [])].map((c) => `:${c.name} - [0:0]`);
  if (nat.kubeProxy) {
    // kube-proxy's chains in the same transaction; its hooks after Felix's (see plan/kube-proxy.ts).
    const k = renderKubeRestoreParts(nat.kubeProxy);
    decl.push(...k.decl);
    own.push(...k.own);
    kernel.push(...k.hooks);
  }
  return {
    head: joinLines(['*nat', ...decl]),
    ownRules: joinLines(own),
    kernelRules: joinLines(kernel),
  };
}

/**
 * The whole `iptables-restore --noflush` input as a fresh namespace takes it (no Calico rules
 * yet): applied again it would append a second hook, which the apply's deletions prevent.
 */
export function renderIptablesNat(nat: NatTable): string {
  const p = renderNatRestoreParts(nat);
  return `${p.head}${p.ownRules}${p.kernelRules}COMMIT\n`;
}

function joinLines(lines: string[]): string {
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** The table in `iptables-save -t nat` style (our chains and hooks only), for display. */
export function renderIptablesSave(nat: NatTable): string {
  const lines = ['*nat'];
  for (const a of nat.appends) lines.push(`:${a.chain} ACCEPT [0:0]`);
  for (const c of [...nat.chains, ...(nat.labChains ?? [])]) lines.push(`:${c.name} - [0:0]`);
  for (const c of nat.kubeProxy?.chains ?? []) lines.push(`:${c} - [0:0]`);
  const rules = hashedRules(nat);
  const kube = nat.kubeProxy ? kubeSaveLines(nat.kubeProxy) : undefined;
  // iptables-save lists the kernel chains' rules first, then user chains.
  for (const r of rules.filter((x) => x.appended))
    lines.push(renderSaveLine(r.chain, r.rule, r.hash));
  lines.push(...(kube?.hooks ?? []));
  for (const r of rules.filter((x) => !x.appended))
    lines.push(renderSaveLine(r.chain, r.rule, r.hash));
  for (const c of nat.labChains ?? [])
    for (const rule of c.rules) lines.push(renderSaveLine(c.name, rule, ''));
  lines.push(...(kube?.rules ?? []));
  lines.push('COMMIT');
  return `${lines.join('\n')}\n`;
}

/** Rendered rule lines (iptables-save style) in table order, for diffs. */
export function saveLines(nat: NatTable): string[] {
  const rules = hashedRules(nat);
  const kube = nat.kubeProxy ? kubeSaveLines(nat.kubeProxy) : { hooks: [], rules: [] };
  return [
    ...rules.filter((x) => x.appended).map((r) => renderSaveLine(r.chain, r.rule, r.hash)),
    ...kube.hooks,
    ...rules.filter((x) => !x.appended).map((r) => renderSaveLine(r.chain, r.rule, r.hash)),
    ...kube.rules,
  ];
}
