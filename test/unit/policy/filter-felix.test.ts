// Felix's filter chains as the lab renders them: the hashes of Felix's static FORWARD rules as a
// real v3.30 node shows them, selector IP set IDs as libcalico-go computes them (its own test
// vectors), the dispatch tree, policy ordering and groups, and the ipsets' members.
import { describe, expect, it } from 'vitest';
import { selectorSetId, ipsetNameV4 } from '../../../src/core/calico/policy-selectors.js';
import {
  hashedFilterRules,
  renderIptablesFilter,
} from '../../../src/core/dataplane/render-filter.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

function plan(
  policies: string,
  pods = '[{name: a-1, node: node-1, labels: {app: a}}, {name: b-1, node: node-1}]',
) {
  const text = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: t}
spec:
  nodes: [{name: node-1}, {name: node-2}]
  pods: ${pods}
  hosts: [{name: internet, address: 203.0.113.10/24}]
---
${policies}`;
  return planLab(loadLab([{ file: 'lab.yaml', text }]));
}
const node = (p: ReturnType<typeof plan>, name = 'node-1') =>
  p.containers.find((c) => c.name === name)!.dataplane!;

const DENY_A = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-a}
spec: {selector: app == 'a', types: [Egress]}
`;

describe('filter table', () => {
  it("has Felix's FORWARD hooks, with the hashes a real node shows", () => {
    const hashes = hashedFilterRules(node(plan(DENY_A)).filter!)
      .filter((h) => h.chain === 'FORWARD')
      .map((h) => h.hash);
    // iptables-save on a Calico node: -j cali-FORWARD, "Policy explicitly accepted packet.",
    // and the MARK that flags forwarded traffic.
    expect(hashes).toEqual(['wUHhoiAYhphO9Mso', 'S93hcgKJrXEqnTfs', 'mp77cMpurHhyjLrM']);
  });

  it('names selector sets as Felix does (libcalico-go parser_test vectors)', () => {
    expect(selectorSetId('all()')).toBe('s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug');
    expect(selectorSetId('! (has( b)||! has(a ))')).toBe(
      's:Iss0uCleLYv1GSv_pNm7hAO58kE9jAx1NKyG3Q',
    );
    expect(selectorSetId('! (a == "b"&&! c != "d")')).toBe(
      's:lh3haoY1ikTRkd4UZu0nWSaIBknYLPJLX16d-w',
    );
    expect(ipsetNameV4('s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug')).toBe(
      'cali40s:5y5I3VdRZfDU01O--xXAPx2', // 31 characters, ipset's limit
    );
  });

  it('is absent when the lab has no policy, and only on nodes with the selected pods\u2019 chains', () => {
    expect(node(plan('')).filter).toBeUndefined();
    const p = plan(DENY_A);
    const a = p.ipam.assignments.find((x) => x.pod === 'a-1')!;
    const text = renderIptablesFilter(node(p).filter!);
    // a-1 is selected: its from-workload chain ends the default tier with a drop.
    const fw = node(p).filter!.chains.find((c) => c.name === `cali-fw-${a.hostIfname}`)!;
    expect(
      fw.rules.some((r) =>
        r.comments?.includes('End of tier default. Drop if no policies passed packet'),
      ),
    ).toBe(true);
    expect(text).toContain('-A cali-po-default/deny-a');
    // node-2 runs no pod: dispatch chains only drop unknown interfaces.
    const n2 = node(p, 'node-2').filter!.chains.find((c) => c.name === 'cali-from-wl-dispatch')!;
    expect(n2.rules.map((r) => r.action.kind)).toEqual(['drop']);
  });

  it('orders policies by order then name, and groups runs with the same selector', () => {
    const pol = (name: string, order: number) => `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: ${name}}
spec: {order: ${order}, selector: app == 'a', types: [Egress], egress: [{action: Allow, destination: {nets: [203.0.113.0/24]}}]}
`;
    const p = plan([pol('zz', 1), pol('aa', 2), pol('bb', 2)].join('---\n'));
    const a = p.ipam.assignments.find((x) => x.pod === 'a-1')!;
    const chains = node(p).filter!.chains;
    const fw = chains.find((c) => c.name === `cali-fw-${a.hostIfname}`)!;
    const jumps = fw.rules
      .filter((r) => r.action.kind === 'jump')
      .map((r) => (r.action as { target: string }).target);
    // Three policies with one selector: one cali-go- group chain, then the profiles.
    expect(jumps[0]).toMatch(/^cali-go-[\w-]{20}$/);
    const group = chains.find((c) => c.name === jumps[0])!;
    expect(group.rules.map((r) => (r.action as { target: string }).target)).toEqual([
      'cali-po-default/zz',
      'cali-po-default/aa',
      'cali-po-default/bb',
    ]);
  });

  it('fills selector sets with the selected pods and network sets, and dispatches by a prefix tree', () => {
    const p = plan(
      `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: to-b}
spec:
  selector: app == 'a'
  egress: [{action: Allow, destination: {selector: app == 'b' || role == 'partner'}}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners, labels: {role: partner}}
spec: {nets: [198.51.100.0/24]}
`,
      '[{name: a-1, node: node-1, labels: {app: a}}, {name: b-1, node: node-2, labels: {app: b}}, {name: c-1, node: node-1}, {name: d-1, node: node-1}]',
    );
    const b = p.ipam.assignments.find((x) => x.pod === 'b-1')!;
    const set = node(p).ipsets.find((s) => s.name.startsWith('cali40s:'))!;
    expect(set.members).toEqual([`${b.address}/32`, '198.51.100.0/24'].sort());
    // Every interface of node-1 is reached from cali-from-wl-dispatch (directly or via a child).
    const ifaces = p.ipam.assignments.filter((x) => x.node === 'node-1').map((x) => x.hostIfname);
    const text = renderIptablesFilter(node(p).filter!);
    for (const i of ifaces) expect(text).toContain(`--in-interface ${i} --goto cali-fw-${i}`);
  });
});

describe('filter counters', () => {
  it('reads our filter rules from iptables-save -c, leaving nat and others\u2019 rules to their readers', async () => {
    const { parseFilterCounters } = await import('../../../src/service/live/filter-counters.js');
    const text = [
      '*nat',
      '[3:252] -A POSTROUTING -m comment --comment "cali:O3lYWMrLQYEMJtB5" -j cali-POSTROUTING',
      'COMMIT',
      '*filter',
      '[9:756] -A FORWARD -m comment --comment "cali:wUHhoiAYhphO9Mso" -j cali-FORWARD',
      '[1:84] -A FORWARD -j DOCKER-USER',
      '[3:252] -A cali-fw-cali1 -m comment --comment "cali:U8hsjoTPfI2tP5FI" -m mark --mark 0x0/0x20000 -j DROP',
      'COMMIT',
    ].join('\n');
    expect(parseFilterCounters(text).map((c) => [c.chain, c.packets])).toEqual([
      ['FORWARD', 9],
      ['cali-fw-cali1', 3],
    ]);
  });
});
