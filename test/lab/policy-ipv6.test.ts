// IPv6 network policy on a real engine (dual-stack lab): Felix's ip6tables filter table with a
// cali60s: set, applied in the nodes. `check` proves web-1's IPv6 ping to internet denied
// (nothing arrives, no reply, the probes captured on node-1's side of web-1's veth) while its
// IPv6 ping to web-2 and its IPv4 ping to internet pass; the kernel's ip6tables has the rules.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `ph-${randomBytes(3).toString('hex')}`;
const TEXT = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: v6pol}
spec:
  fabric: {cidr: 172.30.0.0/24, ipv6Cidr: 2001:db8:30::/64}
  router: {name: tor, address: 172.30.0.1, asNumber: 64500}
  nodes: [{name: node-1}, {name: node-2}]
  pods: [{name: web-1, node: node-1, labels: {app: web}}, {name: web-2, node: node-2}]
  hosts: [{name: internet, address: 203.0.113.10/24, ipv6Address: 2001:db8:113::10/64}]
  expect:
    - {from: web-1, to: internet, ipVersion: 6, allowed: false}
    - {from: web-1, to: web-2, ipVersion: 6, seenAs: pod, reply: true}
    - {from: web-1, to: internet, seenAs: node, reply: true}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: web-no-v6-internet}
spec:
  selector: app == 'web'
  types: [Egress]
  egress:
  - action: Deny
    ipVersion: 6
    destination: {nets: [2001:db8:113::/64]}
  - action: Allow
    destination: {selector: all()}
  - action: Allow
`;

let service: LabService;

beforeAll(async () => {
  service = new LabService();
  await service.setup();
});

afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

describe('IPv6 network policy on the wire', () => {
  it('check: the IPv6 flow is denied in node-1, the others pass', async () => {
    const report = await service.live.check([{ file: 'v6pol.yaml', text: TEXT }], { name: LAB });
    expect(report.entries.map((e) => [e.ok, e.mismatches])).toEqual(
      report.entries.map(() => [true, []]),
    );
    const denied = report.entries.find((e) => e.expectation.allowed === false)!;
    expect(denied.seenSources).toEqual([]);
    expect(denied.replies.received).toBe(0);
    expect(denied.droppedAt?.packets).toBeGreaterThan(0);
  });

  it("has the policy in node-1's ip6tables and a cali60s: set of the pods' IPv6 addresses", async () => {
    const rt = await service.runtime();
    const t = (await rt.exec(LAB, 'node-1', ['ip6tables-save', '-c', '-t', 'filter'])).stdout;
    expect(t).toMatch(/-A FORWARD -m comment --comment "cali:wUHhoiAYhphO9Mso" -j cali-FORWARD/);
    const deny = t
      .split('\n')
      .find((l) => /-A cali-po-\S+ .*-d 2001:db8:113::\/64 .*-j MARK --set-xmark 0x40000/.test(l));
    expect(Number(/^\[(\d+):/.exec(deny ?? '')?.[1] ?? 0)).toBeGreaterThan(0);
    expect(t).toMatch(/-m set --match-set cali60s:\S+ dst/);
    const sets = (await rt.exec(LAB, 'node-1', ['ipset', 'list', '-n'])).stdout;
    const name = sets.split('\n').find((l) => l.startsWith('cali60s:'))!;
    const members = (await rt.exec(LAB, 'node-1', ['ipset', 'list', name])).stdout;
    expect(members).toMatch(/family inet6/);
    const record = await service.record(LAB);
    for (const a of record.ipam.assignments) expect(members).toContain(a.ipv6!.address);
    const v4 = (await rt.exec(LAB, 'node-1', ['iptables-save', '-t', 'filter'])).stdout;
    expect(v4).not.toContain('2001:db8:113::');
  });
});

describe('policy removed', () => {
  it('leaves no cali- chain or hook in either filter table', async () => {
    await service.deleteResources(LAB, [
      { kind: 'GlobalNetworkPolicy', name: 'web-no-v6-internet' },
    ]);
    const rt = await service.runtime();
    for (const cmd of ['iptables-save', 'ip6tables-save']) {
      const t = (await rt.exec(LAB, 'node-1', [cmd, '-t', 'filter'])).stdout;
      expect(t).not.toMatch(/cali-/);
    }
  });
});
