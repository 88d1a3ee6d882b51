// IPv6 on the wire (issue 15): the NAT66 template on a real engine. natOutgoing flipped on the
// IPv6 pool while IPv6 traffic flows, watched in the outside host's capture: the source goes
// from the node's IPv6 address to the pod's and back. The kernel's ip6tables nat table and
// cali60 ipset are compared with what the core renders. Addresses come from the plan.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import { renderContainer } from '../../src/core/plan/render-container.js';
import type { PacketEvent } from '../../src/service/api.js';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `v6-${randomBytes(3).toString('hex')}`;
const FILE = 'lab-templates/nat66-toggle.yaml';
const TEXT = readFileSync(FILE, 'utf8');
const lab = loadLab([{ file: FILE, text: TEXT }]);
const plan = planLab(lab);
const POOL = 'ula-pool';
const NODE1 = lab.nodes.find((n) => n.name === 'node-1')!.ipv6Address!;
const POD = plan.ipam.assignments.find((a) => a.pod === 'web-1')!.ipv6!.address;
const INTERNET = lab.hosts.find((h) => h.name === 'internet')!.ipv6!.address;

let service: LabService;
const measured: string[] = [];
const echoRequest = (p: PacketEvent): boolean =>
  p.dst === INTERNET && /echo request/.test(p.raw) && p.src !== undefined;

beforeAll(async () => {
  service = new LabService();
  await service.setup();
  await service.up([{ file: FILE, text: TEXT }], { name: LAB });
});

afterAll(async () => {
  console.log(`[ipv6] ${measured.join('; ')}`);
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

describe('NAT66 on a running lab', () => {
  it("the kernel holds Felix's IPv6 rules and sets as rendered", async () => {
    const rt = await service.runtime();
    const save = await rt.exec(LAB, 'node-1', ['ip6tables-save', '-t', 'nat']);
    expect(save.exitCode).toBe(0);
    const want = renderContainer(plan.containers.find((c) => c.name === 'node-1')!)
      .ip6tablesSave!.split('\n')
      .filter((l) => l.startsWith('-A '));
    const got = save.stdout.split('\n').filter((l) => l.startsWith('-A '));
    expect(got).toEqual(want);
    const set = await rt.exec(LAB, 'node-1', ['ipset', 'list', 'cali60masq-ipam-pools']);
    expect(set.stdout).toContain('Type: hash:net');
    expect(set.stdout).toContain('family inet6');
    expect(set.stdout.trim().endsWith('fd00:10::/48')).toBe(true);
  });

  it('natOutgoing off and on with IPv6 traffic flowing: the captured source follows', async () => {
    const cap = await service.live.openCapture({
      lab: LAB,
      container: 'internet',
      filter: 'icmp6',
    });
    const traffic = await service.live.openTraffic({
      lab: LAB,
      from: 'web-1',
      to: INTERNET,
      protocol: 'icmp',
      intervalMs: 20,
      flows: 'per-packet',
    });
    try {
      const before = await cap.waitFor((p) => echoRequest(p) && p.src === NODE1, 5000);
      expect(before, "masqueraded to node-1's IPv6 address while natOutgoing is on").toBeDefined();

      let t0 = Date.now();
      const off = await service.patchPool(LAB, POOL, { spec: { natOutgoing: false } });
      let returned = Date.now() - t0;
      const d = off.diffs.find((x) => x.node === 'node-1')!;
      expect(d.removed.join('\n')).toMatch(/^ip6tables: -A cali-nat-outgoing .*MASQUERADE/m);
      const firstPod = await cap.waitFor((p) => echoRequest(p) && p.src === POD, 3000);
      expect(firstPod, 'a packet with the pod’s IPv6 source after natOutgoing=false').toBeDefined();
      measured.push(
        `off: call returned after ${returned} ms, first pod-source packet ${firstPod!.receivedAt! - t0} ms after the call`,
      );
      // Settled: every new request carries the pod's address, and nothing routes replies back.
      await new Promise((r) => setTimeout(r, 700));
      const received = traffic.stats().received;
      const mark = Date.now();
      await new Promise((r) => setTimeout(r, 800));
      const window = cap.packets().filter((p) => p.receivedAt! >= mark && echoRequest(p));
      expect(window.length).toBeGreaterThan(5);
      expect(new Set(window.map((p) => p.src))).toEqual(new Set([POD]));
      expect(traffic.stats().received).toBe(received);

      t0 = Date.now();
      await service.patchPool(LAB, POOL, { spec: { natOutgoing: true } });
      returned = Date.now() - t0;
      const firstNode = await cap.waitFor(
        (p) => echoRequest(p) && p.src === NODE1 && p.receivedAt! >= t0,
        3000,
      );
      expect(firstNode, 'node source again after natOutgoing=true').toBeDefined();
      measured.push(
        `on: call returned after ${returned} ms, first node-source packet ${firstNode!.receivedAt! - t0} ms after the call`,
      );
      const replying = traffic.stats().received;
      await new Promise((r) => setTimeout(r, 500));
      expect(traffic.stats().received).toBeGreaterThan(replying);
    } finally {
      await service.live.stopTraffic(traffic.id);
      await cap.stop();
    }
  });

  it('conntrack lists the NATed IPv6 flow, marked as IPv6, and flushes it by pod', async () => {
    await service.live.ping(LAB, 'web-1', INTERNET, { count: 1, waitS: 2 });
    const entries = await service.live.conntrack(LAB, 'node-1');
    const mine = entries.filter((e) => e.original.src === POD);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((e) => e.ipVersion === 6)).toBe(true);
    expect(mine.some((e) => e.translated && e.translatedTo === NODE1)).toBe(true);
    const { deleted } = await service.live.flushConntrack(LAB, 'node-1', 'web-1');
    expect(deleted).toBeGreaterThan(0);
    const after = await service.live.conntrack(LAB, 'node-1');
    expect(after.filter((e) => e.original.src === POD)).toEqual([]);
  });
});
