// Network policy on a real engine: the default-deny template's expectations on the wire (the
// denied probes seen arriving on the node's side of the pod's veth and nowhere further), then
// live changes through the service: a NetworkPolicy applied lets shop-1 reach internet, deleting
// it drops it again, and a bad policy is refused with nothing changed in the node's kernel.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabInputError } from '../../src/core/errors.js';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `pol-${randomBytes(3).toString('hex')}`;
const template = readFileSync(
  new URL('../../lab-templates/policy-default-deny-networkset.yaml', import.meta.url),
  'utf8',
);
const allow = (action: string) => ({
  file: 'allow.yaml',
  text: `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: allow-internet, namespace: shop}
spec:
  order: 50
  selector: app == 'shop'
  types: [Egress]
  egress: [{action: ${action}, destination: {nets: [203.0.113.0/24]}}]
`,
});

let service: LabService;

beforeAll(async () => {
  service = new LabService();
  await service.setup();
});

afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

async function pingOk(to: string): Promise<boolean> {
  const r = await service.live.ping(LAB, 'shop-1', to, { count: 2, waitS: 1 });
  return r.received > 0;
}

async function filterTable(): Promise<string> {
  const rt = await service.runtime();
  const r = await rt.exec(LAB, 'node-1', ['iptables-save', '-t', 'filter']);
  return r.stdout
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .replace(/\[\d+:\d+\]/g, '');
}

describe('network policy on the wire', () => {
  it('check: allowed flows seen, denied ones dropped in the node', async () => {
    const report = await service.live.check([{ file: 'dd.yaml', text: template }], {
      name: LAB,
    });
    expect(report.entries.map((e) => [e.ok, e.mismatches])).toEqual(
      report.entries.map(() => [true, []]),
    );
    const denied = report.entries.filter((e) => e.expectation.allowed === false);
    expect(denied.length).toBeGreaterThan(0);
    for (const d of denied) {
      expect(d.seenSources).toEqual([]);
      expect(d.replies.received).toBe(0);
      expect(d.droppedAt?.packets).toBeGreaterThan(0);
    }
  });

  it('a policy applied lets shop-1 out, deleted drops it again; a bad one changes nothing', async () => {
    expect(await pingOk('203.0.113.10')).toBe(false);
    const applied = await service.apply(LAB, [allow('Allow')]);
    expect(applied.diffs.map((d) => d.node)).toEqual(['node-1']);
    expect(applied.diffs[0]!.added.join('\n')).toMatch(/--destination 203\.0\.113\.0\/24/);
    expect(await pingOk('203.0.113.10')).toBe(true);

    const before = await filterTable();
    await expect(service.apply(LAB, [allow('Reject')])).rejects.toBeInstanceOf(LabInputError);
    expect(await filterTable()).toBe(before);

    await service.deleteResources(LAB, [{ kind: 'NetworkPolicy', name: 'shop/allow-internet' }]);
    expect(await pingOk('203.0.113.10')).toBe(false);
    expect(await filterTable()).not.toContain('allow-internet');
  });
});
