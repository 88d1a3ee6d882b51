// Changes to a running lab, watched on the wire (issue 4). One lab for the whole file:
// two nodes, a pod on each, an internet host and a corp host, the default pool with
// natOutgoing. Every assertion reads real tcpdump lines captured in the destination
// container, or the node's real nat table / conntrack table.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LabInputError } from '../../src/core/errors.js';
import type { PacketEvent } from '../../src/service/api.js';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `live-t-${randomBytes(3).toString('hex')}`;
const NODE1 = '172.30.0.11';
const INTERNET = '203.0.113.10';
const CORP = '10.0.0.10';
const POOL = 'default-ipv4-ippool';

const LAB_FILE = `apiVersion: egress-lab/v1
kind: Lab
metadata:
  name: live-toggle
spec:
  calicoVersion: v3.30
  fabric: { cidr: 172.30.0.0/24 }
  router: { name: tor, address: 172.30.0.1, asNumber: 64500 }
  nodes:
    - { name: node-1, address: ${NODE1} }
    - { name: node-2, address: 172.30.0.12 }
  pods:
    - { name: web-1, node: node-1 }
    - { name: web-2, node: node-2 }
  hosts:
    - { name: internet, address: ${INTERNET}/24 }
    - { name: corp, address: ${CORP}/24 }
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: ${POOL}
spec:
  cidr: 192.168.0.0/16
  natOutgoing: true
`;

const NO_NAT_POOL = `apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: no-nat-10.0.0.0-8
spec:
  cidr: 10.0.0.0/8
  disabled: true
`;

let service: LabService;
let podAddr: string;
/** Toggle → first captured packet with the new source, per toggle, for the report. */
const measured: string[] = [];

const echoRequest = (p: PacketEvent): boolean => p.icmpType === 'echo request';

async function natTable(node: string): Promise<string> {
  const r = await (await service.runtime()).exec(LAB, node, ['iptables-save', '-t', 'nat']);
  expect(r.exitCode).toBe(0);
  return r.stdout.replace(/^# (Generated|Completed).*\n/gm, '');
}

async function ipsets(node: string): Promise<string> {
  const r = await (await service.runtime()).exec(LAB, node, ['ipset', 'list']);
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  service = new LabService();
  await service.setup();
  const status = await service.up([{ file: 'live-toggle.yaml', text: LAB_FILE }], { name: LAB });
  podAddr = status.pods.find((p) => p.name === 'web-1')!.address;
});

// Each test starts from the file's state, even after a failed one.
beforeEach(async () => {
  const pools = await service.pools(LAB);
  if (!pools.find((p) => p.name === POOL)?.spec.natOutgoing)
    await service.patchPool(LAB, POOL, { spec: { natOutgoing: true } });
  if (pools.some((p) => p.name === 'no-nat-10.0.0.0-8'))
    await service.deletePool(LAB, 'no-nat-10.0.0.0-8');
});

afterAll(async () => {
  console.log(`[live-toggle] ${measured.join('; ')}`);
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

describe('natOutgoing and disabled flips on a running lab', () => {
  it('natOutgoing off and on with continuous traffic: the captured source follows', async () => {
    const cap = await service.live.openCapture({ lab: LAB, container: 'internet', filter: 'icmp' });
    // A new flow (new ICMP id) per probe, 20 ms apart: each probe meets the rules as they are now.
    const traffic = await service.live.openTraffic({
      lab: LAB,
      from: 'web-1',
      to: 'internet',
      protocol: 'icmp',
      intervalMs: 20,
      flows: 'per-packet',
    });
    try {
      const before = await cap.waitFor((p) => echoRequest(p) && p.src === NODE1, 5000);
      expect(before, 'masqueraded to node-1 while natOutgoing is on').toBeDefined();
      const sessions = service.live.sessions(LAB);
      expect(sessions.captures.find((c) => c.captureId === cap.id)).toMatchObject({
        container: 'internet',
        filter: 'icmp',
        running: true,
      });
      expect(sessions.traffic.map((t) => t.trafficId)).toContain(traffic.id);

      // The bound is loose on purpose: CI machines are small and busy. The report prints the figures.
      let t0 = Date.now();
      const off = await service.patchPool(LAB, POOL, { spec: { natOutgoing: false } });
      let returned = Date.now() - t0;
      expect(off.message).toBe("Successfully patched 1 'IPPool' resource");
      expect(off.diffs.map((d) => d.node).sort()).toEqual(['node-1', 'node-2']);
      const firstPod = await cap.waitFor((p) => echoRequest(p) && p.src === podAddr, 3000);
      expect(firstPod, 'a packet with the pod source after natOutgoing=false').toBeDefined();
      measured.push(
        `off: call returned after ${returned} ms (apply ${off.appliedMs} ms), first pod-source packet ${firstPod!.receivedAt! - t0} ms after the call`,
      );
      expect(firstPod!.receivedAt! - t0).toBeLessThan(returned + 1000);

      // Settled: a second later, every new request carries the pod address and no reply comes back.
      await new Promise((r) => setTimeout(r, 700));
      const received = traffic.stats().received;
      const mark = Date.now();
      await new Promise((r) => setTimeout(r, 800));
      const window = cap.packets().filter((p) => p.receivedAt! >= mark && echoRequest(p));
      expect(window.length).toBeGreaterThan(5); // ~40 probes in 800 ms on an idle machine
      expect(new Set(window.map((p) => p.src))).toEqual(new Set([podAddr]));
      expect(traffic.stats().received).toBe(received); // the router has no route back to the pod

      t0 = Date.now();
      const on = await service.patchPool(LAB, POOL, { spec: { natOutgoing: true } });
      returned = Date.now() - t0;
      const firstNode = await cap.waitFor(
        (p) => echoRequest(p) && p.src === NODE1 && p.receivedAt! >= t0,
        3000,
      );
      expect(firstNode, 'node source again after natOutgoing=true').toBeDefined();
      measured.push(
        `on: call returned after ${returned} ms (apply ${on.appliedMs} ms), first node-source packet ${firstNode!.receivedAt! - t0} ms after the call`,
      );
      expect(firstNode!.receivedAt! - t0).toBeLessThan(returned + 1000);
      const replying = traffic.stats().received;
      await new Promise((r) => setTimeout(r, 500));
      expect(traffic.stats().received).toBeGreaterThan(replying); // replies are back
    } finally {
      const stats = await service.live.stopTraffic(traffic.id);
      await cap.stop();
      measured.push(`traffic: sent ${stats.sent}, received ${stats.received}`);
    }
    // Stopping really stopped both inside the containers.
    const ps = await (await service.runtime()).exec(LAB, 'internet', ['pgrep', '-x', 'tcpdump']);
    expect(ps.stdout.trim()).toBe('');
    const pcap = await service.live.pcap(cap.id);
    expect(pcap.packets).toBeGreaterThan(50);
  });

  it('a rejected patch changes nothing: nat table and ipsets are the same before and after', async () => {
    const before = [await natTable('node-1'), await ipsets('node-1'), await natTable('node-2')];
    const pools = await service.pools(LAB);
    await expect(service.patchPool(LAB, POOL, { spec: { blockSize: 99 } })).rejects.toBeInstanceOf(
      LabInputError,
    );
    await expect(service.patchPool(LAB, POOL, { spec: { cidr: 'not-a-cidr' } })).rejects.toThrow(
      /cidr/i,
    );
    await expect(
      service.patchPool(LAB, 'no-such-pool', { spec: { natOutgoing: false } }),
    ).rejects.toThrow(/does not exist/);
    expect([await natTable('node-1'), await ipsets('node-1'), await natTable('node-2')]).toEqual(
      before,
    );
    expect(await service.pools(LAB)).toEqual(pools);
    expect(before[0]).toContain('MASQUERADE'); // the lab still NATs: the table compared was a real one
  });

  it('disabled: a disabled pool over 10.0.0.0/8 stops NAT to corp; flipping disabled changes no rule; deleting it restores NAT', async () => {
    const toCorp = async (): Promise<string[]> => {
      const cap = await service.live.openCapture({
        lab: LAB,
        container: 'corp',
        filterWords: ['icmp[icmptype]', '==', 'icmp-echo'],
      });
      await service.live.flushConntrack(LAB, 'node-1', 'web-1');
      // Without NAT nothing answers; -W 2 and a wait for the capture leave room for a slow first ARP.
      const r = await service.live.ping(LAB, 'web-1', 'corp', {
        count: 3,
        intervalMs: 50,
        waitS: 2,
      });
      await cap.waitFor(() => true, 2000);
      await new Promise((res) => setTimeout(res, 200));
      await cap.stop();
      expect(r.transmitted).toBe(3);
      return [...new Set(cap.packets().map((p) => p.src!))];
    };
    expect(await toCorp()).toEqual([NODE1]);

    const applied = await service.apply(LAB, [{ file: 'no-nat.yaml', text: NO_NAT_POOL }]);
    expect(
      applied.diffs.some((d) => d.ipsetChanges.some((c) => c.added.includes('10.0.0.0/8'))),
    ).toBe(true);
    expect(await toCorp()).toEqual([podAddr]);

    // Felix's ipsets hold every pool, disabled or not: the flip leaves the dataplane alone.
    const rules = await natTable('node-1');
    const flip = await service.patchPool(LAB, 'no-nat-10.0.0.0-8', { spec: { disabled: false } });
    expect(flip.diffs).toEqual([]);
    expect(await natTable('node-1')).toBe(rules);
    expect(await toCorp()).toEqual([podAddr]);
    expect(
      (await service.pools(LAB)).find((p) => p.name === 'no-nat-10.0.0.0-8')!.spec.disabled,
    ).toBe(false);

    const del = await service.deletePool(LAB, 'no-nat-10.0.0.0-8');
    expect(del.diffs.length).toBeGreaterThan(0);
    expect(await toCorp()).toEqual([NODE1]);
  });

  it('an existing flow keeps its translation until its conntrack entry is flushed', async () => {
    const cap = await service.live.openCapture({ lab: LAB, container: 'internet', filter: 'icmp' });
    // One ping process: one ICMP id, one conntrack entry for the whole run.
    const ping = await service.live.openTraffic({
      lab: LAB,
      from: 'web-1',
      to: 'internet',
      protocol: 'icmp',
      intervalMs: 50,
      flows: 'one',
    });
    try {
      expect(await cap.waitFor((p) => echoRequest(p) && p.src === NODE1, 5000)).toBeDefined();
      await service.patchPool(LAB, POOL, { spec: { natOutgoing: false } });

      // The entry is still there, translated to node-1, and the wire keeps showing node-1.
      const entries = await service.live.conntrack(LAB, 'node-1');
      const flow = entries.find(
        (e) => e.protocol === 'icmp' && e.original.src === podAddr && e.original.dst === INTERNET,
      );
      expect(flow, `the ping's entry in ${entries.map((e) => e.raw).join('\n')}`).toBeDefined();
      expect(flow!.translated).toBe(true);
      expect(flow!.translatedTo).toBe(NODE1);
      const mark = Date.now();
      await new Promise((r) => setTimeout(r, 1000));
      const after = cap.packets().filter((p) => p.receivedAt! >= mark && echoRequest(p));
      expect(after.length).toBeGreaterThan(5); // ~20 at 50 ms
      expect(new Set(after.map((p) => p.src))).toEqual(new Set([NODE1]));
      expect(new Set(after.map((p) => p.icmpId)).size).toBe(1); // the same flow throughout
      const stillReplying = ping.stats().received;

      // Flushing the pod's entries: the next packet of the same ping is a new flow, untranslated.
      const t0 = Date.now();
      const { deleted } = await service.live.flushConntrack(LAB, 'node-1', 'web-1');
      expect(deleted).toBeGreaterThanOrEqual(1);
      const first = await cap.waitForNext((p) => echoRequest(p) && p.src === podAddr, 3000);
      expect(first, 'the pod address once the mapping is gone').toBeDefined();
      measured.push(
        `flush: first pod-source packet ${first!.receivedAt! - t0} ms after conntrack -D`,
      );
      expect(stillReplying).toBeGreaterThan(0);
      const gone = await service.live.conntrack(LAB, 'node-1');
      expect(
        gone
          .filter((e) => e.original.src === podAddr && e.protocol === 'icmp')
          .every((e) => !e.translated),
      ).toBe(true);
    } finally {
      await service.live.stopTraffic(ping.id);
      await cap.stop();
      await service.patchPool(LAB, POOL, { spec: { natOutgoing: true } });
    }
  });

  it("several captures at once on one node: the pod's veth shows the pod address, eth0 the node's", async () => {
    const record = await service.record(LAB);
    const veth = record.ipam.assignments.find((a) => a.pod === 'web-1')!.hostIfname;
    const filter = ['icmp[icmptype]', '==', 'icmp-echo'];
    const [onVeth, onEth0, onHost] = await Promise.all([
      service.live.openCapture({ lab: LAB, container: 'node-1', iface: veth, filterWords: filter }),
      service.live.openCapture({
        lab: LAB,
        container: 'node-1',
        iface: 'eth0',
        filterWords: filter,
      }),
      service.live.openCapture({ lab: LAB, container: 'internet', filterWords: filter }),
    ]);
    await service.live.ping(LAB, 'web-1', 'internet', { count: 3, intervalMs: 50 });
    await new Promise((r) => setTimeout(r, 200));
    await Promise.all([onVeth.stop(), onEth0.stop(), onHost.stop()]);
    const sources = (c: typeof onVeth): string[] => [...new Set(c.packets().map((p) => p.src!))];
    expect(sources(onVeth)).toEqual([podAddr]);
    expect(sources(onEth0)).toEqual([NODE1]);
    expect(sources(onHost)).toEqual([NODE1]);
    // On one interface tcpdump prints no interface column; the events say so.
    expect(onEth0.packets()[0]!.iface).toBeUndefined();
    expect(onHost.packets()[0]!.iface).toBe('eth0');
    expect(onVeth.packets()).toHaveLength(3);
  });

  it('the live nat table counts packets on the MASQUERADE rule', async () => {
    const before = await service.live.rules(LAB, 'node-1');
    const masq = (c: typeof before.counters): number =>
      c.find((r) => r.rule.includes('-j MASQUERADE'))?.packets ?? -1;
    expect(masq(before.counters)).toBeGreaterThanOrEqual(0);
    await service.live.flushConntrack(LAB, 'node-1', 'web-1');
    // Three separate pings: three new flows, each first packet through the nat table.
    for (let i = 0; i < 3; i++) await service.live.ping(LAB, 'web-1', 'internet', { count: 1 });
    const after = await service.live.rules(LAB, 'node-1');
    expect(masq(after.counters) - masq(before.counters)).toBeGreaterThanOrEqual(3);
    expect(after.text).toMatch(/^\*nat$/m);
  });
});
