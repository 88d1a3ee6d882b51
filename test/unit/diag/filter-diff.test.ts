// `diff` of the filter table: a node dump of the policy-default-deny-networkset template, made
// as iptables-save prints what Felix programs, then edited one way per finding.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { hashedFilterRules, renderFilterRule } from '../../../src/core/dataplane/render-filter.js';
import { renderIptablesSave } from '../../../src/core/dataplane/render-nat.js';
import { diffNode } from '../../../src/core/diag/node-diff.js';
import { loadLab } from '../../../src/core/lab-file/load.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const TEMPLATE = readFileSync(
  join(import.meta.dirname, '../../../lab-templates/policy-default-deny-networkset.yaml'),
  'utf8',
);
const plan = planLab(loadLab([{ file: 'lab.yaml', text: TEMPLATE }]));
const node = plan.containers.find((c) => c.role === 'node' && c.dataplane?.filter)!;
const dp = node.dataplane!;
const rules = hashedFilterRules(dp.filter!);

/** The filter table as iptables-save lists it: kernel chains, Felix's chains, hooks, rules. */
function filterSave(lines = rules.map((r) => renderFilterRule('-A', r.chain, r.rule, r.hash))) {
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ...dp.filter!.chains.map((c) => `:${c.name} - [0:0]`),
    ...lines,
    'COMMIT',
    '',
  ].join('\n');
}

const diff = (filter: string) =>
  diffNode(plan, node.name, [{ file: 'iptables.txt', text: renderIptablesSave(dp.nat) + filter }]);

describe('diff of the filter table against the lab policies', () => {
  test('as Felix programs it: every policy rule matches, nothing is listed as not compared', () => {
    const r = diff(filterSave());
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.matched.rules).toBeGreaterThanOrEqual(rules.length);
    expect(
      r.findings.some((f) => f.kind === 'not-compared' && /table filter/.test(f.message)),
    ).toBe(false);
  });

  test('a policy rule missing is named by its policy and rule', () => {
    const victim = rules.find((r) => r.rule.origin?.ruleIndex !== undefined)!;
    const lines = rules
      .filter((r) => r !== victim)
      .map((r) => renderFilterRule('-A', r.chain, r.rule, r.hash));
    const r = diff(filterSave(lines));
    const missing = r.findings.filter((f) => f.kind === 'missing-rule' && f.hash === victim.hash);
    expect(missing).toHaveLength(1);
    expect(missing[0]!.message).toContain(`policy ${victim.rule.origin!.policy}`);
    expect(missing[0]!.message).toContain(`rule ${victim.rule.origin!.ruleIndex! + 1}`);
  });

  test("a missing workload chain says the pod's policy does not run", () => {
    const fw = dp.filter!.chains.find((c) => c.name.startsWith('cali-fw-'))!;
    const lines = rules
      .filter((r) => r.chain !== fw.name)
      .map((r) => renderFilterRule('-A', r.chain, r.rule, r.hash));
    const text = filterSave(lines).replace(`:${fw.name} - [0:0]\n`, '');
    const r = diff(text);
    const f = r.findings.find((x) => x.chain === fw.name)!;
    expect(f.kind).toBe('missing-rule');
    expect(f.message).toContain('egress policy does not run');
  });

  test("a foreign DROP before Felix's FORWARD hook is named with its owner", () => {
    const hook = rules.find((r) => r.placement === 'insert')!;
    const lines = rules.map((r) => renderFilterRule('-A', r.chain, r.rule, r.hash));
    lines.unshift('-A FORWARD -j DOCKER-USER');
    const r = diff(filterSave(lines));
    const f = r.findings.find((x) => x.kind === 'foreign-before')!;
    expect(f.chain).toBe(hook.chain);
    expect(f.message).toContain('Docker');
  });

  test('a stale cali rule in a policy chain is an extra rule', () => {
    const chain = dp.filter!.chains.find((c) => c.name.startsWith('cali-po-'))!;
    const lines = rules.map((r) => renderFilterRule('-A', r.chain, r.rule, r.hash));
    lines.push(`-A ${chain.name} -m comment --comment "cali:AAAAAAAAAAAAAAAA" -j ACCEPT`);
    const r = diff(filterSave(lines));
    expect(r.findings.some((f) => f.kind === 'extra-rule' && f.hash === 'AAAAAAAAAAAAAAAA')).toBe(
      true,
    );
  });
});
