// get / patch of policies, network sets and Services: the documents as written (Calico kinds)
// or as kubectl prints them (Services), what each selects, and a merge patch validated as
// apply -f validates, positioned in the patched document, changing nothing on bad input.
import { describe, expect, it } from 'vitest';
import { appliedLab } from '../../../src/core/changes/lab-changes.js';
import { patchedSource, resourceViews } from '../../../src/core/changes/resource-views.js';
import { LabInputError } from '../../../src/core/errors.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { formatResourceViews } from '../../../src/shells/cli/resource-format.js';

const lab = loadLab([
  {
    file: 'lab.yaml',
    text: `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: t}
spec:
  nodes: [{name: node-1}]
  pods:
    - {name: web-1, node: node-1, namespace: shop, labels: {app: web}, tcpPorts: [8080]}
    - {name: web-2, node: node-1, namespace: shop, labels: {app: web}, tcpPorts: [8080]}
    - {name: db-1, node: node-1, namespace: shop, labels: {app: db}}
  services:
    - apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8080, nodePort: 30080}]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-web}
spec:
  order: 10
  selector: app == 'web'
  types: [Egress]
  egress: [{action: Deny, destination: {nets: [203.0.113.0/24]}}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: outside, labels: {zone: out}}
spec: {nets: [198.51.100.0/24]}
`,
  },
]);

describe('resource views', () => {
  it('lists policies (selecting pods), network sets and Services (addresses, endpoints)', () => {
    const views = resourceViews(planLab(lab));
    const gnp = views.find((v) => v.kind === 'GlobalNetworkPolicy')!;
    expect(gnp).toMatchObject({ name: 'deny-web', order: 10, selects: 2 });
    expect(gnp.document).toMatchObject({ kind: 'GlobalNetworkPolicy', spec: { order: 10 } });
    expect(views.find((v) => v.kind === 'GlobalNetworkSet')?.nets).toEqual(['198.51.100.0/24']);
    const svc = views.find((v) => v.kind === 'Service')!;
    expect(svc).toMatchObject({ ref: 'shop/web', type: 'NodePort' });
    expect(svc.endpoints).toHaveLength(2);
    expect(svc.endpoints!.every((e) => e.endsWith(':8080'))).toBe(true);
  });

  it('prints as calicoctl and kubectl do', () => {
    const views = resourceViews(planLab(lab));
    const gnps = views.filter((v) => v.kind === 'GlobalNetworkPolicy');
    expect(
      formatResourceViews('GlobalNetworkPolicy', gnps, 'wide', {
        single: false,
        allNamespaces: false,
      }),
    ).toMatch(/^NAME\s+TIER\s+ORDER\s+SELECTOR\s*\ndeny-web\s+default\s+10\s+app == 'web'\s*\n$/);
    const svcs = views.filter((v) => v.kind === 'Service');
    expect(
      formatResourceViews('Service', svcs, 'table', { single: false, allNamespaces: false }),
    ).toMatch(
      /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s*\nweb\s+NodePort\s+10\.96\.0\.1\s+<none>\s+80:30080\/TCP\s*\n$/,
    );
  });

  it('a patch is validated as apply, positioned in the patched document', () => {
    const src = patchedSource(lab, 'GlobalNetworkPolicy', 'deny-web', { spec: { order: 5 } });
    const next = appliedLab(lab, [src]);
    expect(next.policies?.find((p) => p.name === 'deny-web')?.order).toBe(5);
    const bad = patchedSource(lab, 'GlobalNetworkPolicy', 'deny-web', {
      spec: { egress: [{ action: 'Reject' }] },
    });
    let err: unknown;
    try {
      appliedLab(lab, [bad]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabInputError);
    expect((err as Error).message).toMatch(
      /^patch GlobalNetworkPolicy\/deny-web:\d+:\d+: GlobalNetworkPolicy\(deny-web\) spec\.egress\[0\]\.action: /m,
    );
    const svc = appliedLab(lab, [
      patchedSource(lab, 'Service', 'shop/web', { spec: { selector: { app: 'db' } } }),
    ]);
    expect(svc.services?.[0]).toMatchObject({ selector: { app: 'db' }, clusterIP: '10.96.0.1' });
    expect(() => patchedSource(lab, 'Service', 'web', {})).toThrow('services "web" not found');
    expect(() =>
      patchedSource(lab, 'GlobalNetworkSet', 'outside', { metadata: { name: 'x' } }),
    ).toThrow('metadata.name cannot be changed');
  });
});
