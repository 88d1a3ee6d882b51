// Live changes restore only the chains that changed (runtime/agent/apply.sh, changedChains, as
// Felix's table.go and kube-proxy's partial sync do). On a real engine, after each live change
// through the service (a policy added, changed, removed; a Service's port and target port
// changed by apply -f) the node's kernel nat and filter tables are compared with what a full
// apply of the same plan (every chain rewritten, as `up` does) leaves: they must be the same.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabPlan } from '../../src/core/plan/types.js';
import { applyAll } from '../../src/runtime/agent/apply.js';
import { planOf } from '../../src/service/lab-record.js';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `part-${randomBytes(3).toString('hex')}`;
const LAB_FILE = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: part}
spec:
  nodes: [{name: node-1}]
  pods:
    - {name: web-1, node: node-1, labels: {app: web}, tcpPorts: [8080, 9090]}
    - {name: web-2, node: node-1, labels: {app: web}, tcpPorts: [8080, 9090]}
  kubeProxy: {clusterCIDR: 192.168.0.0/16}
  services:
    - {metadata: {name: svc-a}, spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}
    - {metadata: {name: svc-b}, spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: p-1}
spec:
  selector: app == 'web'
  types: [Egress]
  egress: [{action: Allow, protocol: TCP, destination: {nets: [198.51.100.0/24], ports: [443]}}]
`;
const policy = (name: string, net: string) => ({
  file: `${name}.yaml`,
  text: `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: ${name}}
spec:
  order: 10
  selector: app == 'web'
  types: [Egress]
  egress: [{action: Allow, protocol: TCP, destination: {nets: [${net}], ports: [443]}}]
`,
});

let service: LabService;

beforeAll(async () => {
  service = new LabService();
  await service.setup();
  await service.up([{ file: 'part.yaml', text: LAB_FILE }], { name: LAB });
}, 180_000);

afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

/** A table as the kernel lists it: each chain's rules in order (chains in name order). */
async function table(name: 'nat' | 'filter'): Promise<Record<string, string[]>> {
  const rt = await service.runtime();
  const r = await rt.exec(LAB, 'node-1', ['iptables-save', '-t', name]);
  expect(r.exitCode).toBe(0);
  const out: Record<string, string[]> = {};
  for (const l of r.stdout.split('\n')) {
    if (l.startsWith(':')) out[l.slice(1).split(' ')[0]!] ??= [];
    else if (l.startsWith('-A ')) (out[l.split(' ')[1]!] ??= []).push(l);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
const tables = async () => ({ nat: await table('nat'), filter: await table('filter') });

/** The tables now (after a live change) equal those a full apply of `plan` leaves. */
async function equalsFullApply(plan: LabPlan): Promise<void> {
  const live = await tables();
  const rt = await service.runtime();
  const node = plan.containers.find((c) => c.name === 'node-1')!;
  await applyAll(rt.docker, LAB, [node], 1, undefined, true);
  expect(await tables()).toEqual(live);
}
const recordPlan = async () => planOf(await service.record(LAB));

describe('live applies rewrite only changed chains; the kernel equals a full apply', () => {
  it('a policy added, changed, removed', async () => {
    await service.apply(LAB, [policy('p-2', '203.0.113.0/24')]);
    const added = await tables();
    expect(Object.keys(added.filter)).toContain('cali-po-default/p-2');
    await equalsFullApply(await recordPlan());

    await service.apply(LAB, [policy('p-2', '203.0.113.128/25')]);
    expect((await table('filter'))['cali-po-default/p-2']!.join('\n')).toContain(
      '203.0.113.128/25',
    );
    await equalsFullApply(await recordPlan());

    await service.deleteResources(LAB, [{ kind: 'GlobalNetworkPolicy', name: 'p-1' }]);
    expect(Object.keys(await table('filter'))).not.toContain('cali-po-default/p-1');
    await equalsFullApply(await recordPlan());
  }, 120_000);

  it("a Service's port and target port changed (apply -f of the v1 Service)", async () => {
    const before = await table('nat');
    await service.apply(LAB, [
      {
        file: 'svc-a.yaml',
        text: `apiVersion: v1
kind: Service
metadata: {name: svc-a}
spec:
  selector: {app: web}
  ports: [{port: 81, targetPort: 9090}]
`,
      },
    ]);
    const after = await table('nat');
    expect(after).not.toEqual(before);
    expect(Object.values(after).flat().join('\n')).toContain(':9090');
    await equalsFullApply(await recordPlan());
  }, 120_000);
});
