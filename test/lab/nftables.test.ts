// Felix's nftables dataplane on the wire (FelixConfiguration nftablesMode: Enabled): the
// outside host sees the node, then the pod once natOutgoing is off; the node holds table
// `ip calico` and no Calico iptables rule or ipset; a running flow keeps its NAT across the
// toggle (conntrack stays on without the lab's iptables keeper); and a live mode flip moves
// the node between the two dataplanes, its diff saying so. Real tcpdump, real tables.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PacketEvent } from '../../src/service/api.js';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `nft-t-${randomBytes(3).toString('hex')}`;
const NODE1 = '172.30.0.11';
const INTERNET = '203.0.113.10';
const POOL = 'default-ipv4-ippool';
const felixYaml = (mode: string): string => `apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {nftablesMode: ${mode}}
`;

const LAB_FILE = `apiVersion: egress-lab/v1
kind: Lab
metadata:
  name: nft-wire
spec:
  calicoVersion: v3.31
  fabric: { cidr: 172.30.0.0/24 }
  router: { name: tor, address: 172.30.0.1, asNumber: 64500 }
  nodes:
    - { name: node-1, address: ${NODE1} }
  pods:
    - { name: web-1, node: node-1 }
  hosts:
    - { name: internet, address: ${INTERNET}/24 }
---
${felixYaml('Enabled')}---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: ${POOL}
spec:
  cidr: 192.168.0.0/16
  natOutgoing: true
`;

let service: LabService;
let podAddr: string;
const echoRequest = (p: PacketEvent): boolean => p.icmpType === 'echo request';

async function inNode(argv: string[]): Promise<{ exitCode: number; stdout: string }> {
  return (await service.runtime()).exec(LAB, 'node-1', argv);
}
/** What Calico left in iptables and ipset on node-1: nothing, in nftables mode. */
async function caliInIptables(): Promise<string[]> {
  const save = await inNode(['iptables-save']);
  expect(save.exitCode).toBe(0);
  const sets = await inNode(['ipset', 'list', '-n']);
  return [...save.stdout.split('\n'), ...sets.stdout.split('\n')].filter((l) =>
    /cali|egress-lab/.test(l),
  );
}
/** Sources internet sees for a fresh 3-ping from web-1 (the pod's conntrack flushed first). */
async function seenAtInternet(): Promise<string[]> {
  const cap = await service.live.openCapture({
    lab: LAB,
    container: 'internet',
    filterWords: ['icmp[icmptype]', '==', 'icmp-echo'],
  });
  await service.live.flushConntrack(LAB, 'node-1', 'web-1');
  await service.live.ping(LAB, 'web-1', 'internet', { count: 3, intervalMs: 50, waitS: 2 });
  await cap.waitFor(() => true, 2000);
  await new Promise((r) => setTimeout(r, 200));
  await cap.stop();
  return [...new Set(cap.packets().map((p) => p.src!))];
}

beforeAll(async () => {
  service = new LabService();
  await service.setup();
  const status = await service.up([{ file: 'nft-wire.yaml', text: LAB_FILE }], { name: LAB });
  podAddr = status.pods.find((p) => p.name === 'web-1')!.address;
});

afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

describe('nftables mode on the wire', () => {
  it("the node's address at the outside host, from table ip calico; no Calico iptables rule", async () => {
    expect(await seenAtInternet()).toEqual([NODE1]);
    const table = await inNode(['nft', 'list', 'table', 'ip', 'calico']);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(
      /chain nat-cali-nat-outgoing \{\n\s+ip saddr @cali40masq-ipam-pools ip daddr != @cali40all-ipam-pools counter packets [1-9]\d* bytes \d+ masquerade fully-random comment "cali:/,
    );
    expect(await caliInIptables()).toEqual([]);
    // The service reads the same table, with counters per rule.
    const rules = await service.live.rules(LAB, 'node-1');
    expect(rules.command).toBe('nft list table ip calico');
    const masq = rules.counters.find((c) => c.rule.includes('masquerade'));
    expect(masq).toMatchObject({ chain: 'nat-cali-nat-outgoing' });
    expect(masq!.packets).toBeGreaterThan(0);
  });

  it("natOutgoing off: the pod's address at the outside host; a running flow keeps its NAT", async () => {
    const cap = await service.live.openCapture({ lab: LAB, container: 'internet', filter: 'icmp' });
    const ping = await service.live.openTraffic({
      lab: LAB,
      from: 'web-1',
      to: 'internet',
      protocol: 'icmp',
      intervalMs: 50,
      flows: 'one',
    });
    try {
      expect(await cap.waitFor((p) => echoRequest(p) && p.src === NODE1, 5000)).toBeDefined();
      const off = await service.patchPool(LAB, POOL, { spec: { natOutgoing: false } });
      const d = off.diffs.find((x) => x.node === 'node-1')!;
      expect(d.removed).toHaveLength(1);
      expect(d.removed[0]).toMatch(
        /^add rule ip calico nat-cali-nat-outgoing .*masquerade fully-random comment "cali:/,
      );
      expect(d.ipsetChanges).toEqual([
        { set: 'ip calico @cali40masq-ipam-pools', removed: ['192.168.0.0/16'], added: [] },
      ]);
      // The running ping: still node-1 on the wire (its conntrack entry keeps the mapping).
      const mark = Date.now();
      await new Promise((r) => setTimeout(r, 800));
      const after = cap.packets().filter((p) => p.receivedAt! >= mark && echoRequest(p));
      expect(after.length).toBeGreaterThan(5);
      expect(new Set(after.map((p) => p.src))).toEqual(new Set([NODE1]));
    } finally {
      await service.live.stopTraffic(ping.id);
      await cap.stop();
    }
    expect(await seenAtInternet()).toEqual([podAddr]);
    expect((await inNode(['nft', 'list', 'table', 'ip', 'calico'])).stdout).not.toContain(
      'masquerade',
    );
    expect(await caliInIptables()).toEqual([]);
    await service.patchPool(LAB, POOL, { spec: { natOutgoing: true } });
    expect(await seenAtInternet()).toEqual([NODE1]);
  });

  it('flipping nftablesMode live moves the node between dataplanes; the diff shows it', async () => {
    const toIpt = await service.apply(LAB, [{ file: 'f.yaml', text: felixYaml('Disabled') }]);
    const d = toIpt.diffs.find((x) => x.node === 'node-1')!;
    expect(d.removed.every((l) => l.startsWith('add rule ip calico '))).toBe(true);
    expect(
      d.added.some((l) => /^-A cali-nat-outgoing .*-j MASQUERADE --random-fully$/.test(l)),
    ).toBe(true);
    expect((await inNode(['nft', 'list', 'table', 'ip', 'calico'])).exitCode).not.toBe(0);
    expect((await inNode(['iptables-save', '-t', 'nat'])).stdout).toContain(
      '-j MASQUERADE --random-fully',
    );
    expect((await service.live.rules(LAB, 'node-1')).command).toBe('iptables-save -t nat -c');
    expect(await seenAtInternet()).toEqual([NODE1]);

    const toNft = await service.apply(LAB, [{ file: 'f.yaml', text: felixYaml('Enabled') }]);
    expect(toNft.diffs.find((x) => x.node === 'node-1')!.added[0]).toMatch(/^add rule ip calico /);
    expect(await caliInIptables()).toEqual([]);
    expect(await seenAtInternet()).toEqual([NODE1]);
  });
});
