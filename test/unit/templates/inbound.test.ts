// Inbound connectivity (External connectivity, BGP peering): explain and expectations from a
// host to a pod, and the lab-file rules for such entries.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { LabInputError } from '../../../src/core/errors.js';
import { explain } from '../../../src/core/explain/explain.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const file = 'lab-templates/inbound-over-bgp.yaml';
const text = readFileSync(file, 'utf8');
const plan = (t: string) => planLab(loadLab([{ file, text: t }]));

describe('explain from a host to a pod', () => {
  test('with BGP to the router: the pod sees the host untranslated and answers', () => {
    const e = explain(plan(text), 'client', 'web-2');
    expect(e.source).toEqual({ name: 'client', address: '203.0.113.10', kind: 'host' });
    expect(e.seenSource).toBe('203.0.113.10');
    expect(e.nat.action).toBe('none');
    expect(e.node).toBe('node-2');
    expect(e.forward?.ok).toBe(true);
    expect(e.reply).toBe(true);
  });

  test("a pod's address works like its name", () => {
    const p = plan(text);
    const addr = p.ipam.assignments.find((a) => a.pod === 'web-1')!.address;
    expect(explain(p, 'client', addr).destinationName).toBe('web-1');
  });

  test('disableBGPExport on the pool: the router has no route, nothing arrives', () => {
    const t = text.replace(
      '  natOutgoing: true\n',
      '  natOutgoing: true\n  disableBGPExport: true\n',
    );
    const e = explain(plan(t), 'client', 'web-1');
    expect(e.forward?.ok).toBe(false);
    expect(e.forward?.reason).toMatch(/not exported/);
    expect(e.reply).toBe(false);
  });

  test('without a BGPPeer: no session, no route', () => {
    const t = text.slice(0, text.indexOf('---\napiVersion: projectcalico.org/v3\nkind: BGPPeer'));
    const e = explain(plan(t), 'client', 'web-1');
    expect(e.reply).toBe(false);
    expect(e.forward?.reason).toMatch(/no BGPPeer makes node-1 peer with the router/);
  });

  test('a host to something else than a pod is refused with a clear error', () => {
    expect(() => explain(plan(text), 'client', '203.0.113.10')).toThrow(LabInputError);
  });
});

describe('lab file: expect entries from a host', () => {
  const withEntry = (entry: string) => text.replace('  expect:\n', `  expect:\n    - ${entry}\n`);
  const problems = (t: string) => {
    try {
      loadLab([{ file, text: t }]);
      return [];
    } catch (e) {
      return (e as LabInputError).problems.map((p) => p.message);
    }
  };

  test('to must be a pod', () => {
    expect(
      problems(withEntry('{ from: client, to: 203.0.113.10, seenAs: pod, reply: true }')),
    ).toEqual(['from host client, to must name a pod of this lab']);
  });

  test('only icmp (pods run no servers)', () => {
    expect(
      problems(
        withEntry('{ from: client, to: web-1, seenAs: 203.0.113.10, reply: true, protocol: tcp }'),
      ),
    ).toEqual(['from a host only icmp is checked: pods run no TCP/UDP servers']);
  });
});
