// Egress gateway selection on real namespaces, beyond the template: a client on the gateway's
// own node (its table sends it straight into the gateway's veth), and a pod of another namespace
// choosing the gateway by its own annotations with a namespaceSelector. Real UDP packets; the
// echo in the destination reports the source it saw, which must be what explain says.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { explain } from '../../../src/core/explain/explain.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { NetnsLab, netnsAvailable } from '../helpers/netns.js';

const PREFIX = `eglp${process.pid % 100000}`;
const net = new NetnsLab(PREFIX);
afterEach(() => net.cleanup());
afterAll(() => net.sweep());

const EXTRA_PODS = `    - { name: payments-2, node: node-2, namespace: payments }
    - name: ops-1
      node: node-1
      namespace: ops
      annotations:
        egress.projectcalico.org/selector: "egress-code == 'red'"
        egress.projectcalico.org/namespaceSelector: "projectcalico.org/name == 'payments'"
    - name: ops-2
      node: node-1
      namespace: ops
      annotations: { egress.projectcalico.org/selector: "egress-code == 'red'" }
`;

describe.skipIf(!netnsAvailable(PREFIX))('egress gateway selection on real namespaces', () => {
  test('same-node client, pod annotations with a namespaceSelector, and one without', async () => {
    const text = readFileSync('lab-templates/egress-gateway-enterprise.yaml', 'utf8').replace(
      '    - { name: shop-1, node: node-1, namespace: shop }\n',
      `    - { name: shop-1, node: node-1, namespace: shop }\n${EXTRA_PODS}`,
    );
    const plan = planLab(loadLab([{ file: 'egw.yaml', text }]));
    const gw = plan.ipam.assignments.find((a) => a.pod === 'egress-red')!.address;
    const internet = plan.lab.hosts.find((h) => h.name === 'internet')!.address;
    // What explain says first: the gateway for payments-2 and ops-1; ops-2's selector looks
    // in its own namespace (no namespaceSelector), where there is no gateway: its node.
    const want = {
      'payments-2': gw,
      'ops-1': gw,
      'ops-2': plan.lab.nodes.find((n) => n.name === 'node-1')!.address,
      'shop-1': plan.lab.nodes.find((n) => n.name === 'node-1')!.address,
    };
    for (const [pod, seen] of Object.entries(want))
      expect(explain(plan, pod, 'internet').seenSource, pod).toBe(seen);

    net.realize(plan);
    const echo = await net.startEcho('internet', 8081);
    for (const [pod, seen] of Object.entries(want)) {
      const mark = echo.seen.length;
      const out = net.send(pod, internet, 8081);
      await new Promise((r) => setTimeout(r, 100));
      expect(echo.seen[mark] ?? 'nothing', `${pod}: source seen`).toBe(seen);
      expect(out.startsWith('seen '), `${pod}: reply (${out})`).toBe(true);
    }
  }, 60_000);
});
