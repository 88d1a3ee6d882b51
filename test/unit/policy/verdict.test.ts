// Explain's policy verdict on the policy templates: which policy and rule decide, with the rule's
// cali: hash from the node's rendered chain; policy acts on the pod's own address before SNAT.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explain } from '../../../src/core/explain/explain.js';
import { checkExpectations } from '../../../src/core/explain/expectations.js';
import { hashedFilterRules } from '../../../src/core/dataplane/render-filter.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const DIR = join(import.meta.dirname, '../../../lab-templates');
const planOf = (f: string) =>
  planLab(loadLab([{ file: f, text: readFileSync(join(DIR, f), 'utf8') }]));

describe('policy verdicts', () => {
  it('policy-with-nat-outgoing: rule 1 allows api-1 by its pool address, the outside sees the node', () => {
    const plan = planOf('policy-with-nat-outgoing.yaml');
    const e = explain(plan, 'api-1', 'internet');
    expect(e.policy?.allowed).toBe(true);
    const v = e.policy!.verdicts[0]!;
    expect(v).toMatchObject({
      by: 'policy',
      policy: 'egress-by-source',
      ruleIndex: 0,
      action: 'Allow',
    });
    const node = plan.containers.find((c) => c.name === 'node-1')!.dataplane!;
    const hit = hashedFilterRules(node.filter!).find((h) => h.hash === v.hash)!;
    expect(hit.chain).toBe(v.chain);
    expect(hit.rule.match).toContainEqual({ kind: 'srcNet', cidr: '10.48.0.0/24' });
    expect(e.seenAs).toBe('node');
    // The policy step comes before the NAT step.
    const policyStep = e.steps.findIndex((s) => s.startsWith('Policy'));
    const natStep = e.steps.findIndex((s) => s.includes('MASQUERADE'));
    expect(policyStep).toBeGreaterThan(-1);
    expect(policyStep).toBeLessThan(natStep);
  });

  it('policy-with-nat-outgoing: rule 2 denies api-2; nothing is forwarded, no reply', () => {
    const e = explain(planOf('policy-with-nat-outgoing.yaml'), 'api-2', 'internet');
    expect(e.policy?.verdicts[0]).toMatchObject({ allowed: false, ruleIndex: 1, action: 'Deny' });
    expect(e.forward?.ok).toBe(false);
    expect(e.reply).toBe(false);
  });

  it('policy-egress-one-range: only TCP 8080 to the range minus its except is allowed', () => {
    const plan = planOf('policy-egress-one-range.yaml');
    expect(explain(plan, 'pay-1', 'bank', { protocol: 'tcp', port: 8080 }).policy?.allowed).toBe(
      true,
    );
    expect(explain(plan, 'pay-1', 'bank', { protocol: 'tcp', port: 8081 }).policy?.allowed).toBe(
      false,
    );
    expect(explain(plan, 'pay-1', 'bank').policy?.verdicts[0]?.by).toBe('end-of-tier');
    expect(
      explain(plan, 'pay-1', 'untrusted', { protocol: 'tcp', port: 8080 }).policy?.allowed,
    ).toBe(false);
  });

  it('every policy template\u2019s expect entries agree with explain', () => {
    for (const f of [
      'policy-default-deny-networkset.yaml',
      'policy-egress-one-range.yaml',
      'policy-with-nat-outgoing.yaml',
    ]) {
      const results = checkExpectations(planOf(f));
      expect(
        results.filter((r) => !r.ok).map((r) => r.mismatches),
        f,
      ).toEqual([]);
      expect(
        results.some((r) => r.expectation.allowed === false),
        f,
      ).toBe(true);
    }
  });
});

describe('inbound', () => {
  it('a host pinging a pod whose ingress no policy allows: dropped at the pod\u2019s node', () => {
    const text = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: t}
spec:
  nodes: [{name: node-1}]
  pods: [{name: web-1, node: node-1, labels: {app: web}}, {name: db-1, node: node-1}]
  hosts: [{name: client, address: 203.0.113.10/24}]
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor}
spec: {peerIP: 172.30.0.1, asNumber: 64500}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: web-ingress}
spec:
  selector: app == 'web'
  ingress: [{action: Allow, protocol: TCP, destination: {ports: [443]}}]
`;
    const plan = planLab(loadLab([{ file: 'lab.yaml', text }]));
    const web = explain(plan, 'client', 'web-1');
    expect(web.policy?.verdicts[0]).toMatchObject({ direction: 'ingress', by: 'end-of-tier' });
    expect(web.forward?.ok).toBe(false);
    // db-1 is selected by no policy: its namespace profile lets the ping in.
    expect(explain(plan, 'client', 'db-1').policy?.allowed).toBe(true);
  });
});

describe('traffic', () => {
  it('names the policy when network policy is why no reply comes', async () => {
    const { deniedByPolicy } = await import('../../../src/service/live/traffic-policy.js');
    const f = 'policy-default-deny-networkset.yaml';
    const plan = planOf(f);
    const record = { name: 'x', lab: plan.lab, ipam: plan.ipam, sources: [] };
    expect(deniedByPolicy(record, 'shop-1', 'internet', 'icmp')).toMatch(
      /^denied by network policy: shop-1's egress: denied at the end of tier default/,
    );
    expect(deniedByPolicy(record, 'shop-1', 'partner', 'icmp')).toBeUndefined();
  });
});
