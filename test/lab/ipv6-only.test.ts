// An IPv6-only lab on a real engine (spec.cni.assignIpv4: false, the CNI's assign_ipv4): the
// ipv6-only template's `expect` entries proved by check; the kernel holds no IPv4 address or
// route for pods, only their IPv6 ones, and the router learned the BGP-routed pool's block over
// IPv6; a capture on the outside host shows the pod's own IPv6 source, then node-2's once
// natOutgoing is turned on for that pool. Addresses come from the plan.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import type { PacketEvent } from '../../src/service/api.js';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `v6o-${randomBytes(3).toString('hex')}`;
const FILE = 'lab-templates/ipv6-only.yaml';
const TEXT = readFileSync(FILE, 'utf8');
const lab = loadLab([{ file: FILE, text: TEXT }]);
const plan = planLab(lab);
const pod = (name: string) => plan.ipam.assignments.find((a) => a.pod === name)!;
const PUBLIC = pod('web-public');
const NODE2 = lab.nodes.find((n) => n.name === 'node-2')!.ipv6Address!;
const INTERNET = lab.hosts.find((h) => h.name === 'internet')!.ipv6!.address;

let service: LabService;
const echoRequest = (p: PacketEvent): boolean =>
  p.dst === INTERNET && /echo request/.test(p.raw) && p.src !== undefined;

beforeAll(async () => {
  service = new LabService();
  await service.setup();
  await service.up([{ file: FILE, text: TEXT }], { name: LAB });
});

afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

describe('an IPv6-only lab', () => {
  it('check: every expect entry holds on the wire (NAT66 pool and BGP-routed pool)', async () => {
    const report = await service.live.check([{ file: FILE, text: TEXT }], { name: LAB });
    expect(
      report.entries
        .filter((e) => !e.ok)
        .map((e) => `${e.expectation.from} -> ${e.expectation.to}: ${e.mismatches.join('; ')}`)
        .join('\n'),
    ).toBe('');
    expect(report.entries.length).toBe(lab.expect.length);
  });

  it('the kernel: pods hold only their IPv6 /128, nodes route them over IPv6 only', async () => {
    const rt = await service.runtime();
    const v4 = await rt.exec(LAB, 'web-public', ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(v4.exitCode).toBe(0);
    expect(v4.stdout.trim()).toBe('');
    const v6 = await rt.exec(LAB, 'web-public', ['ip', '-6', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(v6.stdout).toContain(`inet6 ${PUBLIC.ipv6!.address}/128`);
    const routes4 = await rt.exec(LAB, 'node-2', ['ip', '-4', 'route']);
    expect(routes4.stdout).not.toContain(PUBLIC.hostIfname);
    const routes6 = await rt.exec(LAB, 'node-2', ['ip', '-6', 'route']);
    expect(routes6.stdout).toMatch(
      new RegExp(`^${PUBLIC.ipv6!.address} dev ${PUBLIC.hostIfname} `, 'm'),
    );
    // The router learned the public pool's block over IPv6 BGP, node-2 (its owner) a next hop
    // (node-1 re-advertises what the mesh taught it: the router may list both, ECMP).
    const tor = await rt.exec(LAB, lab.router.name, ['ip', '-6', 'route']);
    const entry = tor.stdout.split(/\n(?=\S)/).find((e) => e.startsWith(`${PUBLIC.ipv6!.block} `));
    expect(entry, tor.stdout).toBeDefined();
    expect(entry).toContain('proto bird');
    expect(entry).toContain(`via ${NODE2} `);
  });

  it('the outside host captures the pod’s IPv6 source, then node-2’s after natOutgoing on', async () => {
    const cap = await service.live.openCapture({
      lab: LAB,
      container: 'internet',
      filter: 'icmp6',
    });
    try {
      await service.live.ping(LAB, 'web-public', 'internet', { count: 1, waitS: 2 });
      const routed = await cap.waitFor((p) => echoRequest(p), 3000);
      expect(routed?.src).toBe(PUBLIC.ipv6!.address);

      await service.patchPool(LAB, 'public6', { spec: { natOutgoing: true } });
      const t0 = Date.now();
      await service.live.ping(LAB, 'web-public', 'internet', { count: 1, waitS: 2 });
      const nated = await cap.waitFor((p) => echoRequest(p) && p.receivedAt! >= t0, 3000);
      expect(nated?.src).toBe(NODE2);
    } finally {
      await cap.stop();
      await service.patchPool(LAB, 'public6', { spec: { natOutgoing: false } });
    }
  });
});
