// Services through the change pipeline (apply -f / delete -f of `v1` Services on a running
// lab's Lab): the lab file's validation with positions in what was applied, allocations kept on
// an update as the API server keeps them, all or nothing on bad input, Kubernetes' NotFound.
import { describe, expect, it } from 'vitest';
import { appliedLab, deletedResourcesLab } from '../../../src/core/changes/lab-changes.js';
import { serviceDocument } from '../../../src/core/changes/service-changes.js';
import { readFileSync } from 'node:fs';
import { patchedSource } from '../../../src/core/changes/resource-views.js';
import { LabInputError } from '../../../src/core/errors.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderContainer } from '../../../src/core/plan/render-container.js';

const lab = loadLab([
  {
    file: 'lab.yaml',
    text: `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: t}
spec:
  nodes: [{name: node-1}]
  pods:
    - {name: web-1, node: node-1, labels: {app: web}, tcpPorts: [8080]}
    - {name: api-1, node: node-1, labels: {app: api}, tcpPorts: [9090]}
`,
  },
]);

const svc = (selector: string, extra = '', port = 8080) => ({
  file: 'svc.yaml',
  text: `apiVersion: v1
kind: Service
metadata: {name: front}
spec:
  type: NodePort
  selector: {app: ${selector}}
  ports: [{port: 80, targetPort: ${port}}]
${extra}`,
});

function inputError(f: () => unknown): LabInputError {
  try {
    f();
  } catch (e) {
    if (e instanceof LabInputError) return e;
    throw e;
  }
  throw new Error('expected a LabInputError');
}

function natRules(l: typeof lab): string {
  const node = planLab(l).containers.find((c) => c.name === 'node-1')!;
  return JSON.stringify(renderContainer(node));
}

describe('Service changes', () => {
  it('apply creates a Service: cluster IP and node port allocated, kube-proxy rules rendered', () => {
    expect(lab.services).toBeUndefined();
    const one = appliedLab(lab, [svc('web')]);
    const s = one.services![0]!;
    expect(s).toMatchObject({ name: 'front', namespace: 'default', clusterIP: '10.96.0.1' });
    expect(s.ports[0]!.nodePort).toBe(30000);
    expect(one.kubeProxy?.mode).toBe('iptables');
    expect(natRules(lab)).not.toContain('KUBE-SERVICES');
    expect(natRules(one)).toContain('KUBE-NODEPORTS');
  });

  it('a replace without clusterIP or nodePort keeps them; the new selector picks new endpoints', () => {
    const one = appliedLab(lab, [svc('web')]);
    const two = appliedLab(one, [svc('api', '', 9090)]);
    expect(two.services![0]).toMatchObject({
      clusterIP: one.services![0]!.clusterIP,
      selector: { app: 'api' },
    });
    expect(two.services![0]!.ports[0]!.nodePort).toBe(one.services![0]!.ports[0]!.nodePort);
    const web = one.pods.find((p) => p.name === 'web-1')!;
    const api = one.pods.find((p) => p.name === 'api-1')!;
    const ipOf = (l: typeof lab, pod: string) =>
      planLab(l).ipam.assignments.find((a) => a.pod === pod)?.address;
    expect(natRules(one)).toContain(`${ipOf(one, web.name)}:8080`);
    expect(natRules(two)).toContain(`${ipOf(two, api.name)}:9090`);
    expect(natRules(two)).not.toContain(`${ipOf(two, web.name)}:8080`);
  });

  it('refuses a changed clusterIP with the API server words, positioned, changing nothing', () => {
    const one = appliedLab(lab, [svc('web')]);
    const e = inputError(() => appliedLab(one, [svc('web', '  clusterIP: 10.96.0.9\n')]));
    expect(e.message).toMatch(
      /^svc\.yaml:8:14: Service\(front\) spec\.clusterIP: Invalid value: "10\.96\.0\.9": may not change once set/m,
    );
  });

  it('bad values get the lab file messages at their place in what was applied', () => {
    const e = inputError(() => appliedLab(lab, [svc('web', '  sessionAffinity: Sticky\n')]));
    expect(e.message).toMatch(
      /svc\.yaml:8:20: Service\(front\) spec\.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"/,
    );
    const port = inputError(() =>
      appliedLab(lab, [
        {
          file: 'p.yaml',
          text: 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  ports: [{port: 70000}]\n  selector: {app: web}\n',
        },
      ]),
    );
    expect(port.message).toMatch(
      /p\.yaml:5:\d+: Service\(x\) spec\.ports\[0\]\.port: Invalid value: 70000/,
    );
  });

  it('a selector matching no pod is a positioned warning', () => {
    const one = appliedLab(lab, [svc('nothing')]);
    expect(one.warnings?.map((w) => w.message).join('\n')).toMatch(
      /selector app=nothing matches no pod/,
    );
    expect(one.warnings?.[0]?.position?.file).toBe('svc.yaml');
  });

  it('delete -f removes it; a missing one is Kubernetes NotFound and nothing changes', () => {
    const one = appliedLab(lab, [svc('web')]);
    const none = deletedResourcesLab(one, [{ kind: 'Service', name: 'default/front' }]);
    expect(none.services).toBeUndefined();
    expect(natRules(none)).not.toContain('KUBE-SVC-');
    const e = inputError(() => deletedResourcesLab(one, [{ kind: 'Service', name: 'gone' }]));
    expect(e.message).toContain('services "gone" not found');
  });

  it('serviceDocument round-trips through apply unchanged', () => {
    const one = appliedLab(lab, [svc('web', '  externalTrafficPolicy: Local\n')]);
    const doc = serviceDocument(one.services![0]!);
    const again = appliedLab(one, [{ file: 'again.yaml', text: JSON.stringify(doc) }]);
    expect(again.services).toEqual(one.services);
  });

  it('BGP service routes follow a live change: Local -> Cluster withdraws the /32, the address stays', () => {
    const text = readFileSync('lab-templates/loadbalancer-over-bgp.yaml', 'utf8');
    const lb = loadLab([{ file: 'lb.yaml', text }]);
    const bird = (l: typeof lab, node: string) =>
      renderContainer(planLab(l).containers.find((c) => c.name === node)!).birdConfig ?? '';
    expect(lb.services?.find((s) => s.name === 'web')?.loadBalancerIPs).toEqual(['198.51.100.0']);
    expect(bird(lb, 'node-1')).toContain('198.51.100.0/32');
    const cluster = appliedLab(lb, [
      patchedSource(lb, 'Service', 'web', { spec: { externalTrafficPolicy: 'Cluster' } }),
    ]);
    expect(cluster.services?.find((s) => s.name === 'web')?.loadBalancerIPs).toEqual([
      '198.51.100.0',
    ]);
    expect(bird(cluster, 'node-1')).not.toContain('198.51.100.0/32');
    expect(bird(cluster, 'node-1')).toContain('198.51.100.0/28');
    // The template's expect entry through service/web was resolved at start: said, not silent.
    expect(cluster.warnings?.map((w) => w.message).join('\n')).toMatch(
      /1 expect entry goes through service\/web, resolved when the lab started \(198\.51\.100\.0:80\)/,
    );
  });
});
