// `diff` of a customer's iptables-save *filter table against Felix's policy rules for the lab's
// policies (the plan's FilterTable: rule values with their cali: hashes, render-filter.ts).
// Felix rewrites its own cali- chains whole and keeps its hooks (the FORWARD insert and append)
// in the kernel's chains (felix/rules/static.go, felix/iptables/table.go), so own chains are
// compared rule by rule in order, hooks by hash anywhere in their kernel chain.
import { renderFilterRule, hashedFilterRules } from '../dataplane/render-filter.js';
import type { HashedFilterRule } from '../dataplane/render-filter.js';
import type { FilterTable } from '../dataplane/filter-types.js';
import type { SavedRule, SavedTable } from './parse-iptables-save.js';
import type { DiffFinding } from './types.js';

/** Where a filter rule comes from, in Calico's terms. */
export function filterRuleOrigin(r: HashedFilterRule): string {
  const o = r.rule.origin;
  if (o?.policy !== undefined && o.ruleIndex !== undefined)
    return `policy ${o.policy}, ${o.direction} rule ${o.ruleIndex + 1}`;
  if (o?.policy !== undefined) return `policy ${o.policy}${o.role ? ` (${o.role})` : ''}`;
  if (o?.profile !== undefined) return `profile ${o.profile}${o.role ? ` (${o.role})` : ''}`;
  if (o?.role) return o.role;
  return `Felix's rule ${r.index + 1} of ${r.chain}`;
}

function savedLine(r: HashedFilterRule): string {
  return renderFilterRule('-A', r.chain, r.rule, r.hash);
}

/** What missing a chain means to packets, by Felix's chain naming (rules/names.go). */
function missingChainMeans(chain: string): string {
  if (chain.startsWith('cali-fw-')) return ": the pod's egress policy does not run";
  if (chain.startsWith('cali-tw-')) return ": the pod's ingress policy does not run";
  if (chain.startsWith('cali-po-') || chain.startsWith('cali-pi-'))
    return ': the policy has no effect on this node';
  return '';
}

/**
 * Compares the lab's filter table with the dump's; returns how many rules matched. Findings are
 * pushed in the customer's file order where the customer's file has the rule.
 */
export function diffFilterTable(
  want: FilterTable,
  file: string,
  table: SavedTable,
  findings: DiffFinding[],
  foreign: (f: SavedRule, where: string) => DiffFinding,
): number {
  const expected = hashedFilterRules(want);
  const at = (line: number) => ({ file, line, col: 1 });
  let matched = 0;
  for (const chain of want.chains) {
    const exp = expected.filter((r) => r.placement === 'own' && r.chain === chain.name);
    if (!table.chains.has(chain.name)) {
      findings.push({
        kind: 'missing-rule',
        severity: 'error',
        chain: chain.name,
        message: `Felix's filter chain ${chain.name} is missing${missingChainMeans(chain.name)}`,
      });
      continue;
    }
    const found = table.rules.filter((r) => r.chain === chain.name);
    for (const f of found.filter((r) => !r.hash))
      findings.push({
        kind: 'extra-rule',
        severity: 'warning',
        position: at(f.line),
        chain: chain.name,
        found: f.text,
        message: `a rule without Felix's cali: comment in Felix's own chain ${chain.name}: someone added it by hand, and Felix removes it when it next rewrites the chain`,
      });
    const cali = found.filter((r) => r.hash);
    for (let i = 0; i < Math.max(exp.length, cali.length); i++) {
      const e = exp[i];
      const f = cali[i];
      if (e && f && f.hash === e.hash) matched++;
      else if (e && f)
        findings.push({
          kind: 'changed-rule',
          severity: 'error',
          position: at(f.line),
          chain: chain.name,
          hash: e.hash,
          expected: savedLine(e),
          found: f.text,
          message: `rule ${i + 1} of ${chain.name} differs from ${filterRuleOrigin(e)}: Felix would program cali:${e.hash} here, the node has cali:${f.hash}`,
        });
      else if (e)
        findings.push({
          kind: 'missing-rule',
          severity: 'error',
          chain: chain.name,
          hash: e.hash,
          expected: savedLine(e),
          message: `missing from ${chain.name}: cali:${e.hash}, ${filterRuleOrigin(e)}`,
        });
      else if (f)
        findings.push({
          kind: 'extra-rule',
          severity: 'error',
          position: at(f.line),
          chain: chain.name,
          hash: f.hash!,
          found: f.text,
          message: `cali:${f.hash} in ${chain.name} is no rule the lab's policies give: a policy the lab does not have, or a stale rule Felix has not removed`,
        });
    }
  }
  for (const hook of expected.filter((r) => r.placement !== 'own')) {
    const found = table.rules.filter((r) => r.chain === hook.chain);
    const i = found.findIndex((r) => r.hash === hook.hash);
    if (i >= 0) {
      matched++;
      // Only what runs before an inserted hook decides first; appended hooks run last anyway.
      if (hook.placement === 'insert')
        for (const f of found.slice(0, i).filter((r) => !r.hash))
          findings.push(foreign(f, hook.chain));
      continue;
    }
    findings.push({
      kind: 'missing-rule',
      severity: 'error',
      chain: hook.chain,
      hash: hook.hash,
      expected: savedLine(hook),
      message: `missing from ${hook.chain}: cali:${hook.hash}, Felix's ${hook.placement === 'insert' ? 'jump into its policy chains' : 'accept of what policy allowed'}${hook.placement === 'insert' ? ': no Calico policy runs on this node' : ''}`,
    });
  }
  return matched;
}
