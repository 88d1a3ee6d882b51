// A running lab moved from Calico v3.30 to v3.33 and back through the service: previewed
// (rule diff, nothing touched), applied (the node's real nat table and ipsets change), and
// seen on the wire. The difference shown: a LoadBalancer-only pool (calico#12767's shared VIP
// range) is in v3.30's cali40all-ipam-pools, so a pod reaching a VIP in it is not NATed; from
// v3.31.6/v3.32.1/v3.33 the set is cali40network-ip-pools without that pool, and the same
// traffic leaves with the node's address.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabInputError } from '../../src/core/errors.js';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `ver-${randomBytes(3).toString('hex')}`;
const NODE1 = '172.30.0.11';
const VIP_HOST = '198.51.100.10';

const LAB_FILE = `apiVersion: egress-lab/v1
kind: Lab
metadata:
  name: version-flip
spec:
  calicoVersion: v3.30
  fabric: { cidr: 172.30.0.0/24 }
  nodes:
    - { name: node-1, address: ${NODE1} }
  pods:
    - { name: web-1, node: node-1 }
  hosts:
    - { name: vip, address: ${VIP_HOST}/24 }
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: { name: pods }
spec: { cidr: 192.168.0.0/16, natOutgoing: true }
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: { name: shared-vips }
spec: { cidr: 198.51.100.0/24, allowedUses: [LoadBalancer] }
`;

let service: LabService;
let podAddr: string;

async function exec(argv: string[]): Promise<string> {
  const r = await (await service.runtime()).exec(LAB, 'node-1', argv);
  expect(r.exitCode).toBe(0);
  return r.stdout;
}
const natTable = async () =>
  (await exec(['iptables-save', '-t', 'nat'])).replace(/^# (Generated|Completed).*\n/gm, '');
const setNames = async () => (await exec(['ipset', 'list', '-n'])).split('\n').filter(Boolean);
const members = async (set: string) =>
  (await exec(['ipset', 'list', set])).split('Members:\n')[1]!.split('\n').filter(Boolean).sort();

/** Sources the VIP host sees for a fresh ping from web-1. */
async function seenAtVip(): Promise<string[]> {
  const cap = await service.live.openCapture({
    lab: LAB,
    container: 'vip',
    filterWords: ['icmp[icmptype]', '==', 'icmp-echo'],
  });
  try {
    await service.live.flushConntrack(LAB, 'node-1', 'web-1');
    await service.live.ping(LAB, 'web-1', 'vip', { count: 3, intervalMs: 50, waitS: 2 });
    await cap.waitFor(() => true, 2000);
    await new Promise((res) => setTimeout(res, 200));
  } finally {
    await cap.stop();
  }
  return [...new Set(cap.packets().map((p) => p.src!))];
}

beforeAll(async () => {
  service = new LabService();
  await service.setup();
  const status = await service.up([{ file: 'version-flip.yaml', text: LAB_FILE }], { name: LAB });
  podAddr = status.pods.find((p) => p.name === 'web-1')!.address;
});

afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

describe("changing a running lab's calicoVersion", () => {
  it('v3.30: the LoadBalancer-only pool is exempt, a pod reaches the VIP range un-NATed', async () => {
    expect(await setNames()).toEqual(
      expect.arrayContaining(['cali40all-ipam-pools', 'cali40masq-ipam-pools']),
    );
    expect(await members('cali40all-ipam-pools')).toEqual(['192.168.0.0/16', '198.51.100.0/24']);
    expect(await natTable()).toContain('! --match-set cali40all-ipam-pools dst');
    expect(await seenAtVip()).toEqual([podAddr]);
  });

  it('preview: the rule diff names the new set, and the node is untouched', async () => {
    const rules = await natTable();
    const sets = await setNames();
    const preview = await service.setCalicoVersion(LAB, 'v3.33', true);
    expect(preview.appliedMs).toBe(0);
    const d = preview.diffs.find((x) => x.node === 'node-1')!;
    expect(d.removed.join('\n')).toContain('cali40all-ipam-pools');
    expect(d.added.join('\n')).toContain('! --match-set cali40network-ip-pools dst');
    expect(d.ipsetChanges).toContainEqual({
      set: 'cali40network-ip-pools',
      removed: [],
      added: ['192.168.0.0/16'],
    });
    expect(await natTable()).toBe(rules);
    expect(await setNames()).toEqual(sets);
    expect((await service.pools(LAB)).length).toBe(2);
  });

  it('an unknown version is refused and changes nothing', async () => {
    const rules = await natTable();
    await expect(service.setCalicoVersion(LAB, 'v3.34')).rejects.toBeInstanceOf(LabInputError);
    await expect(service.setCalicoVersion(LAB, 'V3.33')).rejects.toThrow(/calicoVersion/);
    expect(await natTable()).toBe(rules);
  });

  it('apply v3.33: the node gets cali40network-ip-pools without the VIP pool; the VIP sees the node', async () => {
    const applied = await service.setCalicoVersion(LAB, 'v3.33');
    expect(applied.message).toBe('Calico version set to v3.33');
    expect(applied.diffs.map((d) => d.node)).toEqual(['node-1']);
    const names = await setNames();
    expect(names).toContain('cali40network-ip-pools');
    expect(names).not.toContain('cali40all-ipam-pools'); // Felix removes the set it no longer uses
    expect(await members('cali40network-ip-pools')).toEqual(['192.168.0.0/16']);
    const rules = await natTable();
    expect(rules).toContain('! --match-set cali40network-ip-pools dst');
    expect(rules).not.toContain('all-ipam-pools');
    expect(await seenAtVip()).toEqual([NODE1]);
  });

  it('and back to v3.30: the old set and the exemption return', async () => {
    const back = await service.setCalicoVersion(LAB, 'v3.30');
    expect(back.diffs.length).toBe(1);
    expect(await members('cali40all-ipam-pools')).toEqual(['192.168.0.0/16', '198.51.100.0/24']);
    expect(await setNames()).not.toContain('cali40network-ip-pools');
    expect(await seenAtVip()).toEqual([podAddr]);
  });
});
