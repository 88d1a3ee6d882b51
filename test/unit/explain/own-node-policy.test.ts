// explain for a pod's packet to its own node: Felix's cali-INPUT → cali-wl-to-host runs the pod's
// egress policy, then defaultEndpointToHostAction (unset: Accept, as the manifests install
// calico-node). The verdict names the policy rule or the wl-to-host rule with its cali: hash.
import { describe, expect, test } from 'vitest';
import { hashedFilterRules } from '../../../src/core/dataplane/render-filter.js';
import { explain } from '../../../src/core/explain/explain.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const LAB = (extra: string) => `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: t}
spec:
  nodes: [{name: node-1, address: 172.30.0.11}, {name: node-2, address: 172.30.0.12}]
  pods: [{name: a-1, node: node-1, labels: {app: a}}, {name: b-1, node: node-1, labels: {app: b}}]
  hosts: [{name: internet, address: 203.0.113.10/24}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: a-no-node}
spec:
  selector: app == 'a'
  types: [Egress]
  egress:
  - action: Deny
    destination: {nets: [172.30.0.11/32]}
  - action: Allow
${extra}`;
const plan = (extra = '') => planLab(loadLab([{ file: 'lab.yaml', text: LAB(extra) }]));

describe('explain: pod to its own node', () => {
  test('the egress policy denies it, naming the rule and its hash', () => {
    const p = plan();
    const e = explain(p, 'a-1', 'node-1');
    expect(e.policy?.allowed).toBe(false);
    const v = e.policy!.verdicts[0]!;
    expect(v).toMatchObject({ by: 'policy', policy: 'a-no-node', ruleIndex: 0, action: 'Deny' });
    const rendered = hashedFilterRules(
      p.containers.find((c) => c.name === 'node-1')!.dataplane!.filter!,
    ).find((h) => h.hash === v.hash);
    expect(rendered?.rule.origin).toMatchObject({ policy: 'a-no-node', ruleIndex: 0 });
    expect(v.text).toMatch(/cali-wl-to-host/);
    expect(e.warnings.join(' ')).not.toMatch(/not modelled/);
  });

  test('another pod on the node reaches it: no policy selects it, then Accept (the default)', () => {
    const e = explain(plan(), 'b-1', 'node-1');
    expect(e.policy?.allowed).toBe(true);
    expect(e.policy!.verdicts.at(-1)).toMatchObject({
      chain: 'cali-wl-to-host',
      action: 'Accept',
      hash: 'nSZbcOoG1xPONxb8',
    });
  });

  test('defaultEndpointToHostAction Drop drops what policy allowed', () => {
    const e = explain(
      plan(`---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {defaultEndpointToHostAction: Drop}
`),
      'b-1',
      'node-1',
    );
    expect(e.policy?.allowed).toBe(false);
    expect(e.policy!.verdicts.at(-1)!.text).toMatch(/dropped by defaultEndpointToHostAction Drop/);
  });
});
