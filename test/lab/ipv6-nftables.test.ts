// IPv6 with Felix in nftables mode, on a real engine: the NAT66 template with
// `nftablesMode: Enabled`. The kernel's `nft list table ip6 calico` holds the rules and sets the
// core renders (render-nft6.ts), ip6tables holds none of Felix's; natOutgoing flipped on the IPv6
// pool while IPv6 traffic flows moves the outside host's captured source between the node's
// IPv6 address and the pod's; the rule diff and the counters see the ip6 table. Then
// FelixConfiguration ipv6Support: false applied live: the IPv6 tables go (the reply warns) and
// new flows leave with the pod's address; true brings them back. Addresses come from the plan.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { felixIpv6, nft6HashedRules } from '../../src/core/dataplane/render-nft6.js';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import type { PacketEvent } from '../../src/service/api.js';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `v6n-${randomBytes(3).toString('hex')}`;
const FILE = 'lab-templates/nat66-toggle.yaml';
const felixDoc = (spec: string) =>
  `apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata:\n  name: default\nspec:\n${spec}`;
const NFT = '  nftablesMode: Enabled\n';
const TEXT = `${readFileSync(FILE, 'utf8')}---\n${felixDoc(NFT)}`;
const lab = loadLab([{ file: FILE, text: TEXT }]);
const plan = planLab(lab);
const POOL = 'ula-pool';
const NODE1 = lab.nodes.find((n) => n.name === 'node-1')!.ipv6Address!;
const POD = plan.ipam.assignments.find((a) => a.pod === 'web-1')!.ipv6!.address;
const INTERNET = lab.hosts.find((h) => h.name === 'internet')!.ipv6!.address;
const node1 = plan.containers.find((c) => c.name === 'node-1')!;

let service: LabService;
const measured: string[] = [];
const echoRequest = (p: PacketEvent): boolean =>
  p.dst === INTERNET && /echo request/.test(p.raw) && p.src !== undefined;

/** The plan's ip6 rules in the table's order (the base chain's hook first). */
function planned6(): string[] {
  const r = nft6HashedRules(felixIpv6(node1.dataplane!)!);
  return [...r.filter((x) => x.appended), ...r.filter((x) => !x.appended)].map((x) => x.text);
}
async function nft6(): Promise<{ exitCode: number; stdout: string }> {
  const rt = await service.runtime();
  return rt.exec(LAB, 'node-1', ['nft', 'list', 'table', 'ip6', 'calico']);
}
const rulesOf = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim().replace(/counter packets \d+ bytes \d+/, 'counter'))
    .filter((l) => l.includes('counter'));

beforeAll(async () => {
  service = new LabService();
  await service.setup();
  await service.up([{ file: FILE, text: TEXT }], { name: LAB });
});

afterAll(async () => {
  console.log(`[ipv6-nftables] ${measured.join('; ')}`);
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

describe('NAT66 with Felix in nftables mode on a running lab', () => {
  it("the kernel's table ip6 calico is the rendered one; ip6tables has none of Felix's rules", async () => {
    const t = await nft6();
    expect(t.exitCode).toBe(0);
    expect(rulesOf(t.stdout)).toEqual(planned6());
    expect(t.stdout).toMatch(
      /set cali60masq-ipam-pools \{\s+type ipv6_addr\s+flags interval\s+elements = \{ fd00:10::\/48 \}/,
    );
    const rt = await service.runtime();
    const save = await rt.exec(LAB, 'node-1', ['ip6tables-save', '-t', 'nat']);
    expect(save.stdout).not.toMatch(/cali/);
    const sets = await rt.exec(LAB, 'node-1', ['ipset', 'list', '-n']);
    expect(sets.stdout).not.toMatch(/cali/);
    const v4 = await rt.exec(LAB, 'node-1', ['nft', 'list', 'table', 'ip', 'calico']);
    expect(v4.stdout).toContain('ip saddr @cali40masq-ipam-pools');
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
      // The counters see the ip6 table: its masquerade rule has counted packets.
      const live = await service.live.rules(LAB, 'node-1');
      const masq = live.counters.find((c) => c.rule.startsWith('ip6: ip6 saddr @cali60masq'));
      expect(masq, live.text).toBeDefined();
      expect(masq!.packets).toBeGreaterThan(0);
      expect(live.command).toContain('nft list table ip6 calico');

      let t0 = Date.now();
      const off = await service.patchPool(LAB, POOL, { spec: { natOutgoing: false } });
      const d = off.diffs.find((x) => x.node === 'node-1')!;
      expect(d.removed).toHaveLength(1);
      expect(d.removed[0]).toMatch(
        /^add rule ip6 calico nat-cali-nat-outgoing ip6 saddr @cali60masq-ipam-pools .*masquerade/,
      );
      const firstPod = await cap.waitFor(
        (p) => echoRequest(p) && p.src === POD && p.receivedAt! >= t0,
        5000,
      );
      expect(firstPod, 'a packet with the pod’s IPv6 source after natOutgoing=false').toBeDefined();
      measured.push(`off: first pod-source packet ${firstPod!.receivedAt! - t0} ms after the call`);
      expect(rulesOf((await nft6()).stdout).join('\n')).not.toContain('masquerade');

      t0 = Date.now();
      await service.patchPool(LAB, POOL, { spec: { natOutgoing: true } });
      const firstNode = await cap.waitFor(
        (p) => echoRequest(p) && p.src === NODE1 && p.receivedAt! >= t0,
        5000,
      );
      expect(firstNode, 'node source again after natOutgoing=true').toBeDefined();
      measured.push(
        `on: first node-source packet ${firstNode!.receivedAt! - t0} ms after the call`,
      );
      expect(rulesOf((await nft6()).stdout)).toEqual(planned6());
    } finally {
      await service.live.stopTraffic(traffic.id);
      await cap.stop();
    }
  });

  it('ipv6Support false applied live: the IPv6 tables go, the reply warns, pods leave as themselves', async () => {
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
      const t0 = Date.now();
      const r = await service.apply(LAB, [
        { file: 'felix.yaml', text: felixDoc(`${NFT}  ipv6Support: false\n`) },
      ]);
      expect(r.warnings.join('\n')).toMatch(
        /felix\.yaml:\d+:\d+: FelixConfiguration\(default\) spec\.ipv6Support: ipv6Support is false: Felix on node-1, node-2 programs no IPv6 sets or NAT rules/,
      );
      expect((await nft6()).exitCode).not.toBe(0); // no such table
      const pod = await cap.waitFor(
        (p) => echoRequest(p) && p.src === POD && p.receivedAt! >= t0,
        5000,
      );
      expect(pod, 'the pod’s own IPv6 source with Felix programming no IPv6 NAT').toBeDefined();

      const t1 = Date.now();
      await service.apply(LAB, [{ file: 'felix.yaml', text: felixDoc(NFT) }]);
      expect(rulesOf((await nft6()).stdout)).toEqual(planned6());
      const node = await cap.waitFor(
        (p) => echoRequest(p) && p.src === NODE1 && p.receivedAt! >= t1,
        5000,
      );
      expect(node, 'masqueraded again with ipv6Support back on').toBeDefined();
    } finally {
      await service.live.stopTraffic(traffic.id);
      await cap.stop();
    }
  });
});
