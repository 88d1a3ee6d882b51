// Pod <-> own node under network policy on a real engine (Felix's cali-INPUT → cali-wl-to-host):
// a-1's egress policy denies its own node's address, so its ping to node-1 fails while the
// probes are seen arriving on node-1's side of a-1's veth and the denying rule's counters move;
// b-1 on the same node reaches node-1 (no policy selects it, then defaultEndpointToHostAction
// Accept); node-1 still reaches a-1 (Felix does not police host → workload); and a
// FelixConfiguration with defaultEndpointToHostAction Drop, applied live, cuts b-1 off too.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `ph-${randomBytes(3).toString('hex')}`;
const NODE = '172.30.0.11';
const TEXT = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: own-node}
spec:
  nodes: [{name: node-1, address: ${NODE}}, {name: node-2, address: 172.30.0.12}]
  pods: [{name: a-1, node: node-1, labels: {app: a}}, {name: b-1, node: node-1, labels: {app: b}}]
  hosts: [{name: internet, address: 203.0.113.10/24}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: a-not-to-node}
spec:
  selector: app == 'a'
  types: [Egress]
  egress:
  - action: Deny
    destination: {nets: [${NODE}/32]}
  - action: Allow
`;

let service: LabService;

beforeAll(async () => {
  service = new LabService();
  await service.setup();
  await service.up([{ file: 'own-node.yaml', text: TEXT }], { name: LAB });
}, 240_000);

afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

async function pingOk(from: string, to: string): Promise<boolean> {
  const r = await service.live.ping(LAB, from, to, { count: 2, waitS: 1 });
  return r.received > 0;
}

/** iptables-save -c of node-1's filter table. */
async function filterCounters(): Promise<string[]> {
  const rt = await service.runtime();
  const r = await rt.exec(LAB, 'node-1', ['iptables-save', '-c', '-t', 'filter']);
  return r.stdout.split('\n');
}
const packets = (line: string | undefined) => Number(/^\[(\d+):/.exec(line ?? '')?.[1] ?? -1);

describe('pod <-> own node under policy', () => {
  it('hooks cali-INPUT and cali-OUTPUT in the kernel', async () => {
    const t = (await filterCounters()).join('\n');
    expect(t).toMatch(/-A INPUT -m comment --comment "cali:Cz_u1IQiXIMmKD4c" -j cali-INPUT/);
    expect(t).toMatch(/-A OUTPUT -m comment --comment "cali:tVnHkvAo15HuiPy0" -j cali-OUTPUT/);
    expect(t).toMatch(/-A cali-INPUT -i cali\+ .*-g cali-wl-to-host/);
  });

  it("denies a-1 → its own node by egress policy, seen arriving on the node's veth", async () => {
    const record = await service.record(LAB);
    const iface = record.ipam.assignments.find((a) => a.pod === 'a-1')!.hostIfname;
    const before = await filterCounters();
    const denyLine = (lines: string[]) =>
      lines.find((l) =>
        /-A cali-po-\S+ .*-d 172\.30\.0\.11\/32 .*-j MARK --set-xmark 0x40000/.test(l),
      );
    const wlToHost = (lines: string[]) =>
      lines.find((l) => /-A cali-wl-to-host .*-j cali-from-wl-dispatch/.test(l));
    expect(denyLine(before)).toBeDefined();

    const cap = await service.live.openCapture({
      lab: LAB,
      container: 'node-1',
      iface,
      filterWords: ['icmp'],
    });
    try {
      expect(await pingOk('a-1', 'node-1')).toBe(false);
      const arrived = await cap.waitFor((p) => p.dst === NODE, 5000);
      expect(arrived).toBeDefined();
    } finally {
      await cap.stop();
    }
    const after = await filterCounters();
    expect(packets(denyLine(after))).toBeGreaterThan(packets(denyLine(before)));
    expect(packets(wlToHost(after))).toBeGreaterThan(packets(wlToHost(before)));
    // The same policy still lets a-1 out to the internet (its Allow rule).
    expect(await pingOk('a-1', 'internet')).toBe(true);
  });

  it('lets b-1 reach node-1, and node-1 reach a-1 (host → workload is not policed)', async () => {
    expect(await pingOk('b-1', 'node-1')).toBe(true);
    expect(await pingOk('node-1', 'a-1')).toBe(true);
  });

  it('defaultEndpointToHostAction Drop, applied live, drops b-1 → node-1 too', async () => {
    await service.apply(LAB, [
      {
        file: 'felix.yaml',
        text: `apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {defaultEndpointToHostAction: Drop}
`,
      },
    ]);
    const t = (await filterCounters()).join('\n');
    expect(t).toMatch(/-A cali-wl-to-host .*"Configured DefaultEndpointToHostAction" -j DROP/);
    expect(await pingOk('b-1', 'node-1')).toBe(false);
    expect(await pingOk('b-1', 'internet')).toBe(true);
  });
});
