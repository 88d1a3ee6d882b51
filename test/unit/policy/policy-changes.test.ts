// Policies through the change pipeline (calicoctl apply / delete on a running lab's Lab): all or
// nothing on bad input, replace by kind, namespace and name, calicoctl's "does not exist".
import { describe, expect, it } from 'vitest';
import { appliedLab, deletedResourcesLab } from '../../../src/core/changes/lab-changes.js';
import { LabInputError } from '../../../src/core/errors.js';
import { loadLab } from '../../../src/core/lab-file/index.js';

const lab = loadLab([
  {
    file: 'lab.yaml',
    text: `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: t}
spec:
  nodes: [{name: node-1}]
  pods: [{name: shop-1, node: node-1, namespace: shop, labels: {app: shop}}]
`,
  },
]);
const np = (name: string, action = 'Allow') => ({
  file: 'p.yaml',
  text: `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  selector: app == 'shop'
  egress: [{action: ${action}, destination: {nets: [203.0.113.0/24]}}]
`,
});

describe('policy changes', () => {
  it('apply adds, then replaces by namespace and name; delete removes', () => {
    const one = appliedLab(lab, [np('allow')]);
    expect(one.policies?.map((p) => p.id)).toEqual(['shop/allow']);
    const two = appliedLab(one, [np('allow', 'Deny')]);
    expect(two.policies?.map((p) => p.egress[0]!.action)).toEqual(['Deny']);
    const none = deletedResourcesLab(two, [{ kind: 'NetworkPolicy', name: 'shop/allow' }]);
    expect(none.policies).toEqual([]);
  });

  it('bad input changes nothing and says why, positioned in what was applied', () => {
    const one = appliedLab(lab, [np('allow')]);
    let err: unknown;
    try {
      appliedLab(one, [np('allow', 'Reject'), np('other')]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabInputError);
    expect((err as LabInputError).message).toMatch(
      /p\.yaml:6:21: NetworkPolicy\(allow\) spec\.egress\[0\]\.action: error with field Action = 'Reject'/,
    );
    expect(one.policies?.map((p) => p.id)).toEqual(['shop/allow']);
  });

  it('deleting a policy the lab does not have: calicoctl\u2019s words', () => {
    expect(() => deletedResourcesLab(lab, [{ kind: 'NetworkPolicy', name: 'shop/nope' }])).toThrow(
      'resource does not exist: NetworkPolicy(shop/nope)',
    );
  });
});
