// explain through a Service: for every `to: service/...` entry of the templates, the path
// through kube-proxy's and Calico's rules predicts the source the endpoint reports on the wire
// (proved by check in test/lab/templates-check.test.ts) and whether it answers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { explain } from '../../../src/core/explain/explain.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const DIR = 'lab-templates';
const withServices = readdirSync(DIR).filter(
  (f) => f.endsWith('.yaml') && readFileSync(join(DIR, f), 'utf8').includes('to: service/'),
);

describe('explain through Services predicts the templates', () => {
  test('there are templates with Service entries', () => expect(withServices.length).toBe(5));
  for (const f of withServices) {
    test(f, () => {
      const lab = loadLab([{ file: f, text: readFileSync(join(DIR, f), 'utf8') }]);
      const plan = planLab(lab);
      for (const e of lab.expect.filter((x) => x.service)) {
        const t = e.service!;
        const via = t.via === 'nodePort' ? t.node! : t.via;
        const x = explain(plan, e.from, `service/${t.namespace}/${t.name}@${via}`, {
          protocol: e.protocol,
        });
        expect(x.destination, `${e.from} -> ${e.to}`).toBe(t.address);
        expect(x.reply, `${e.from} -> ${e.to}: reply`).toBe(e.reply);
        if (e.allowed === false) {
          // A denied entry (a host's, dropped by the perimeter firewall): nothing is seen.
          expect(x.forward?.ok, `${e.from} -> ${e.to}: dropped`).toBe(false);
          continue;
        }
        const nodeAddrs = lab.nodes.map((n) => n.address);
        const podAddrs = plan.ipam.assignments.map((a) => a.address);
        const kind = nodeAddrs.includes(x.seenSource)
          ? 'node'
          : podAddrs.includes(x.seenSource)
            ? 'pod'
            : x.seenSource;
        const wanted = typeof e.seenAs === 'string' ? e.seenAs : e.seenAs.address;
        expect(kind, `${e.from} -> ${e.to}: ${x.steps.join(' | ')}`).toBe(wanted);
      }
    });
  }
  test('the steps name kube-proxy’s chains and Calico’s hook in order', () => {
    const f = 'nodeport-source-ip.yaml';
    const plan = planLab(loadLab([{ file: f, text: readFileSync(join(DIR, f), 'utf8') }]));
    const x = explain(plan, 'client', 'service/web-cluster@node-1', { protocol: 'tcp' });
    const text = x.steps.join('\n');
    expect(text).toMatch(
      /KUBE-NODEPORTS[\s\S]*KUBE-EXT-[\s\S]*KUBE-MARK-MASQ[\s\S]*DNAT[\s\S]*cali-POSTROUTING[\s\S]*KUBE-POSTROUTING/,
    );
    expect(x.seenSource).toBe('172.30.0.11');
  });
});
