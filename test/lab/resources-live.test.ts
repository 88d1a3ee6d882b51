// Services and policies changed live on a real engine, through the service facade: a Service
// applied to a running lab is reached from an outside host via its NodePort (the pod's echo
// server reports the source it saw); its selector changed live sends the next connection to the
// new endpoint (the only pod listening on the new target port); deleted, the node port is dead
// and the rules gone. A GlobalNetworkPolicy patched live (Deny → Allow) turns check's verdict
// on the denied flow; a bad patch is refused with nothing changed in the kernel.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabInputError } from '../../src/core/errors.js';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `res-${randomBytes(3).toString('hex')}`;
const LAB_FILE = {
  file: 'res.yaml',
  text: `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: ${LAB}}
spec:
  nodes: [{name: node-1, address: 172.30.0.11}]
  pods:
    - {name: web-1, node: node-1, labels: {app: web}, tcpPorts: [8080]}
    - {name: api-1, node: node-1, labels: {app: api}, tcpPorts: [9090]}
  hosts:
    - {name: client, address: 203.0.113.10/24}
    - {name: bank, address: 198.51.100.10/24}
  expect:
    - {from: web-1, to: bank, protocol: tcp, port: 8080, allowed: false}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: web-to-bank}
spec:
  selector: app == 'web'
  types: [Egress]
  egress: [{action: Deny, destination: {nets: [198.51.100.0/24]}}]
`,
};
const service = (selector: string, port: number) => ({
  file: 'svc.yaml',
  text: `apiVersion: v1
kind: Service
metadata: {name: front}
spec:
  type: NodePort
  selector: {app: ${selector}}
  ports: [{port: 80, targetPort: ${port}, nodePort: 30080}]
`,
});

let lab: LabService;

beforeAll(async () => {
  lab = new LabService();
  await lab.setup();
  await lab.up([LAB_FILE], { name: LAB });
}, 300_000);

afterAll(async () => {
  await lab?.down(LAB).catch(() => undefined);
  await lab?.close();
});

/** One TCP connection from the outside host to node-1's NodePort: what the echo answered. */
async function callNodePort(): Promise<string> {
  const rt = await lab.runtime();
  const r = await rt.exec(LAB, 'client', [
    'sh',
    '-c',
    'echo hi | timeout 5 socat -t2 - TCP:172.30.0.11:30080,connect-timeout=2 || true',
  ]);
  return r.stdout.trim();
}

async function natTable(): Promise<string> {
  const rt = await lab.runtime();
  return (await rt.exec(LAB, 'node-1', ['iptables-save', '-t', 'nat'])).stdout;
}

async function podIp(pod: string): Promise<string> {
  const record = await lab.record(LAB);
  return record.ipam.assignments.find((a) => a.pod === pod)!.address;
}

describe('Services live', () => {
  it('applied: the outside host reaches it through the NodePort (source: the node)', async () => {
    expect(await callNodePort()).not.toMatch(/seen/);
    const r = await lab.apply(LAB, [service('web', 8080)]);
    expect(r.diffs.map((d) => d.node)).toContain('node-1');
    expect(r.diffs.find((d) => d.node === 'node-1')!.added.join('\n')).toMatch(/KUBE-NODEPORTS/);
    // externalTrafficPolicy Cluster: KUBE-POSTROUTING masquerades to the node's address.
    expect(await callNodePort()).toContain('seen 172.30.0.11');
    expect(await natTable()).toContain(`--to-destination ${await podIp('web-1')}:8080`);
  });

  it('selector changed live: the new endpoint (the only pod on 9090) answers', async () => {
    const dry = await lab.patchResource(
      LAB,
      'Service',
      'default/front',
      {
        spec: {
          selector: { app: 'api' },
          ports: [{ port: 80, targetPort: 9090, nodePort: 30080 }],
        },
      },
      true,
    );
    expect(dry.diffs.flatMap((d) => d.added).join('\n')).toContain(`${await podIp('api-1')}:9090`);
    expect(await natTable()).not.toContain(':9090'); // a dry run changes nothing
    await lab.apply(LAB, [service('api', 9090)]);
    const nat = await natTable();
    expect(nat).toContain(`--to-destination ${await podIp('api-1')}:9090`);
    expect(nat).not.toContain(`--to-destination ${await podIp('web-1')}:8080`);
    expect(await callNodePort()).toContain('seen 172.30.0.11');
    const views = await lab.resources(LAB);
    expect(views.find((v) => v.kind === 'Service')?.endpoints).toEqual([
      `api-1 ${await podIp('api-1')}:9090`,
    ]);
  });

  it('bad input is refused, positioned, nothing changed; deleted: the node port is dead', async () => {
    const before = await natTable();
    const bad = await lab
      .apply(LAB, [{ file: 'bad.yaml', text: service('api', 9090).text.replace('30080', '80') }])
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(LabInputError);
    expect((bad as Error).message).toMatch(
      /bad\.yaml:7:\d+: Service\(front\) spec\.ports\[0\]\.nodePort: Invalid value: 80: provided port is not in the valid range/,
    );
    const strip = (t: string) =>
      t
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n')
        .replace(/\[\d+:\d+\]/g, '');
    expect(strip(await natTable())).toBe(strip(before));
    await lab.deleteResources(LAB, [{ kind: 'Service', name: 'default/front' }]);
    expect(await natTable()).not.toContain('30080');
    expect(await callNodePort()).not.toMatch(/seen/);
    await expect(
      lab.deleteResources(LAB, [{ kind: 'Service', name: 'default/front' }]),
    ).rejects.toThrow('services "front" not found');
  });
});

describe('a policy patched live', () => {
  it("patch globalnetworkpolicy (Deny → Allow) turns check's verdict", async () => {
    const denied = await lab.live.check(LAB);
    expect(denied.entries.map((e) => e.ok)).toEqual([true]);
    const bad = await lab
      .patchResource(LAB, 'GlobalNetworkPolicy', 'web-to-bank', {
        spec: { egress: [{ action: 'Reject' }] },
      })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(LabInputError);
    expect((bad as Error).message).toMatch(/^patch GlobalNetworkPolicy\/web-to-bank:\d+:\d+: /m);
    const r = await lab.patchResource(LAB, 'GlobalNetworkPolicy', 'web-to-bank', {
      spec: { egress: [{ action: 'Allow', destination: { nets: ['198.51.100.0/24'] } }] },
    });
    expect(r.message).toBe("Successfully patched 1 'GlobalNetworkPolicy' resource");
    expect(r.diffs.map((d) => d.node)).toEqual(['node-1']);
    const allowed = await lab.live.check(LAB);
    // The file expects the flow denied: now it goes through, so the entry fails.
    expect(allowed.entries.map((e) => e.ok)).toEqual([false]);
  });
});
