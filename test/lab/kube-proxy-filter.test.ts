// kube-proxy's filter table in iptables mode on a real engine: template nodeport-source-ip with
// one more Service that selects no pod. `check` still holds every entry of the template (the
// filter table's KUBE-FORWARD and KUBE-SERVICES jumps in the path change nothing for Services
// with endpoints); the Service without endpoints is REJECTed by KUBE-EXTERNAL-SERVICES: the client
// gets an ICMP port unreachable from the node on the wire and "Connection refused" at once; the
// node's kernel lists kube-proxy's filter rules as rendered, its jumps after nothing of Calico's
// (no policy here) in kube-proxy's order. Real tcpdump, real tables.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeFilterSaveLines } from '../../src/core/dataplane/kube-proxy-text.js';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `kpn-f-${randomBytes(3).toString('hex')}`;
const FILE = 'nodeport-source-ip-none.yaml';
const NODE1 = '172.30.0.11';
const TEXT = readFileSync('lab-templates/nodeport-source-ip.yaml', 'utf8').replace(
  '  expect:\n',
  `    - apiVersion: v1
      kind: Service
      metadata: { name: web-none }
      spec:
        type: NodePort
        selector: { app: retired }
        ports: [{ port: 80, targetPort: 8080, nodePort: 30090 }]
  expect:
    - { from: client, to: service/web-none, via: node-1, protocol: tcp, seenAs: 203.0.113.10, reply: false }
`,
);
let service: LabService;
const exec = async (c: string, argv: string[]) => (await service.runtime()).exec(LAB, c, argv);

beforeAll(async () => {
  service = new LabService();
  await service.setup();
});
afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

describe("kube-proxy's filter table (iptables mode) on the wire", () => {
  it('check: the template still holds; the Service without endpoints gets no answer', async () => {
    const report = await service.live.check([{ file: FILE, text: TEXT }], { name: LAB });
    expect(
      report.entries
        .filter((e) => !e.ok)
        .map((e) => `${e.expectation.from} -> ${e.expectation.to}: ${e.mismatches.join('; ')}`)
        .join('\n'),
    ).toBe('');
    expect(report.entries).toHaveLength(5);
  });

  it("node-1's kernel lists kube-proxy's filter rules and jumps as rendered", async () => {
    const plan = planLab(loadLab([{ file: FILE, text: TEXT }]));
    const f = plan.containers.find((c) => c.name === 'node-1')!.dataplane!.nat.kubeProxy!.filter!;
    const want = kubeFilterSaveLines(f);
    const save = (await exec('node-1', ['iptables-save', '-t', 'filter'])).stdout.split('\n');
    expect(save.filter((l) => /^-A KUBE-/.test(l)).sort()).toEqual([...want.rules].sort());
    expect(save.filter((l) => /^-A (INPUT|FORWARD|OUTPUT) .*-j KUBE-/.test(l))).toEqual(want.hooks);
  });

  it('REJECT: ICMP port unreachable from the node on the wire, connection refused', async () => {
    const cap = await service.live.openCapture({ lab: LAB, container: 'client', filter: 'icmp' });
    try {
      const r = await exec('client', [
        'sh',
        '-c',
        'echo hi | socat -t1 - TCP:172.30.0.11:30090,connect-timeout=3',
      ]);
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr + r.stdout).toContain('Connection refused');
      const unreachable = await cap.waitFor(
        (p) => p.src === NODE1 && /port 30090 unreachable/.test(p.raw),
        3000,
      );
      expect(
        unreachable,
        cap
          .packets()
          .map((p) => p.raw)
          .join('\n'),
      ).toBeDefined();
    } finally {
      await cap.stop();
    }
  });
});
