// kube-proxy's nftables mode on a real engine (template nodeport-nftables: Calico v3.32 with
// nftablesMode Auto, so Felix follows kube-proxy into nftables): `check` holds every entry
// (Cluster: the pod sees the node; Local: the client; no endpoints: no answer); each node's
// kernel lists table `ip kube-proxy` exactly as the core renders it (normalised), beside Felix's
// `ip calico`; the Service without endpoints is REJECTed: the client gets an ICMP port
// unreachable from the node on the wire and socat "Connection refused" at once. Real tcpdump,
// real tables.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  normaliseNftListing,
  renderKubeProxyNftList,
} from '../../src/core/dataplane/render-kube-proxy-nft.js';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `kpn-t-${randomBytes(3).toString('hex')}`;
const FILE = 'lab-templates/nodeport-nftables.yaml';
const TEXT = readFileSync(FILE, 'utf8');
const NODE1 = '172.30.0.11';
let service: LabService;

async function exec(container: string, argv: string[]) {
  return (await service.runtime()).exec(LAB, container, argv);
}

beforeAll(async () => {
  service = new LabService();
  await service.setup();
});

afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

describe("kube-proxy's nftables mode on the wire", () => {
  it('check: Cluster loses the client, Local keeps it, no endpoints gets no answer', async () => {
    const report = await service.live.check([{ file: FILE, text: TEXT }], { name: LAB });
    expect(
      report.entries
        .filter((e) => !e.ok)
        .map((e) => `${e.expectation.from} -> ${e.expectation.to}: ${e.mismatches.join('; ')}`)
        .join('\n'),
    ).toBe('');
    expect(report.entries).toHaveLength(5);
    const cluster = report.entries[0]!;
    expect(cluster.seenSources).toEqual([NODE1]);
    expect(report.entries[1]!.seenSources).toEqual(['203.0.113.10']);
  });

  it("every node's kernel lists table ip kube-proxy as rendered, beside Felix's ip calico", async () => {
    const plan = planLab(loadLab([{ file: FILE, text: TEXT }]));
    for (const node of ['node-1', 'node-2']) {
      const tables = await exec(node, ['nft', 'list', 'tables']);
      expect(tables.stdout.split('\n').filter(Boolean).sort()).toEqual([
        'table ip calico',
        'table ip egress-lab',
        'table ip kube-proxy',
      ]);
      const live = await exec(node, ['nft', 'list', 'table', 'ip', 'kube-proxy']);
      expect(live.exitCode).toBe(0);
      const dp = plan.containers.find((c) => c.name === node)!.dataplane!;
      expect(normaliseNftListing(live.stdout)).toEqual(
        normaliseNftListing(renderKubeProxyNftList(dp.kubeProxyNft!)),
      );
      // No kube-proxy chain in iptables: the nftables mode owns Services here.
      expect((await exec(node, ['iptables-save', '-t', 'nat'])).stdout).not.toMatch(/KUBE-/);
    }
  });

  it('a Service without endpoints is rejected: ICMP port unreachable on the wire, connection refused', async () => {
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
          .map((p) => JSON.stringify(p))
          .join('\n'),
      ).toBeDefined();
    } finally {
      await cap.stop();
    }
  });
});
