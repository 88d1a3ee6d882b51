// A customer's cluster dump, imported and run: the nodes and pods carry the customer's own
// addresses in the real containers, and the imported expectations hold on the wire.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importLab } from '../../src/core/import/index.js';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `imp-dump-${randomBytes(3).toString('hex')}`;
const DIR = new URL('../fixtures/dumps/kubeadm-vxlan/', import.meta.url);
const sources = readdirSync(DIR)
  .filter((f) => !f.endsWith('.md'))
  .sort()
  .map((f) => ({ file: f, text: readFileSync(new URL(f, DIR), 'utf8') }));
// The customer's addresses, read from their dump (pods.txt, nodes.yaml), not from the lab.
const customerPods = readFileSync(new URL('pods.txt', DIR), 'utf8')
  .split('\n')
  .slice(1)
  .map((l) => l.split(/\s+/))
  .map((c) => ({ c, i: c.findIndex((t) => t.startsWith('10.244.')) }))
  .filter(({ i }) => i > 0)
  .map(({ c, i }) => ({ name: c[1]!, ip: c[i]!, node: c[i + 1]! }));

let service: LabService;

beforeAll(async () => {
  service = new LabService();
  await service.setup();
});

afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

describe('import a cluster dump, up, check', () => {
  it("runs with the customer's node and pod addresses, and its expectations hold", async () => {
    const imported = importLab(sources, { name: LAB, destinations: ['10.50.0.20'] });
    expect(customerPods).toHaveLength(4);
    const report = await service.live.check([{ file: `${LAB}.yaml`, text: imported.text }], {
      name: LAB,
    });
    expect(report.started).toBe(true);
    expect(
      report.entries.map((e) => [e.expectation.from, e.expectation.to, e.ok, e.mismatches]),
    ).toEqual(imported.lab.expect.map((x) => [x.from, x.to, true, []]));
    // natOutgoing: the destination sees the pod's node at its customer address.
    const toDest = report.entries.find(
      (e) => e.expectation.from === 'web-5d9c7f6b8-4kx2p' && e.expectation.to === 'dest-10-50-0-20',
    )!;
    expect(toDest.seenSources).toEqual(['192.0.2.91']);

    const [status] = await service.status(LAB);
    for (const p of customerPods) {
      const c = status!.containers.find((x) => x.name === p.name)!;
      expect(c.node).toBe(p.node);
      expect(c.addresses.map((a) => a.address.split('/')[0])).toContain(p.ip);
    }
    for (const n of ['90', '91', '92']) {
      const c = status!.containers.find((x) => x.name === `k8s-${n}`)!;
      expect(c.addresses.map((a) => a.address.split('/')[0])).toContain(`192.0.2.${n}`);
    }
  }, 240_000);
});
