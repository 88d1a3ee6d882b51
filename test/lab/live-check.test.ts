// `check` on a real engine: a lab built to pass (the outgoing-nat template) and one built
// to fail (natOutgoing off, no BGP to the router, yet its file expects the node's address
// and replies). check starts each lab itself, since neither runs.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabService } from '../../src/service/lab-service.js';
import { formatCheck } from '../../src/service/live/format.js';

const suffix = randomBytes(3).toString('hex');
const PASS_LAB = `live-cp-${suffix}`;
const FAIL_LAB = `live-cf-${suffix}`;
const INBOUND_LAB = `live-ci-${suffix}`;
const template = readFileSync(
  new URL('../../lab-templates/outgoing-nat.yaml', import.meta.url),
  'utf8',
);

const FAIL_FILE = `apiVersion: egress-lab/v1
kind: Lab
metadata:
  name: built-to-fail
spec:
  calicoVersion: v3.30
  fabric: { cidr: 172.30.0.0/24 }
  nodes:
    - { name: node-1, address: 172.30.0.11 }
  pods:
    - { name: web-1, node: node-1 }
  hosts:
    - { name: internet, address: 203.0.113.10/24, tcpPorts: [8080] }
  expect:
    - { from: web-1, to: internet, seenAs: node, reply: true }
    - { from: web-1, to: internet, protocol: tcp, port: 8080, seenAs: pod, reply: false }
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: default-ipv4-ippool
spec:
  cidr: 192.168.0.0/16
  natOutgoing: false
`;

let service: LabService;

beforeAll(async () => {
  service = new LabService();
  await service.setup();
});

afterAll(async () => {
  await service?.down(PASS_LAB).catch(() => undefined);
  await service?.down(FAIL_LAB).catch(() => undefined);
  await service?.down(INBOUND_LAB).catch(() => undefined);
  await service?.close();
});

describe('check', () => {
  it('passes on a lab built to pass, starting it, and says what it saw', async () => {
    const report = await service.live.check([{ file: 'outgoing-nat.yaml', text: template }], {
      name: PASS_LAB,
    });
    expect(report.started).toBe(true);
    expect(report.lab).toBe(PASS_LAB);
    expect(report.entries).toHaveLength(3);
    expect(report.entries.map((e) => [e.ok, e.mismatches])).toEqual([
      [true, []],
      [true, []],
      [true, []],
    ]);
    const [w1, w2, podToPod] = report.entries;
    expect(w1!.capturedOn).toBe('internet');
    expect(w1!.seenSources).toEqual(['172.30.0.11']);
    expect(w2!.seenSources).toEqual(['172.30.0.12']);
    expect(podToPod!.capturedOn).toBe('web-2');
    expect(podToPod!.seenAs).toBe('pod');
    expect(w1!.replies.received).toBeGreaterThan(0);
    expect(w1!.lines[0]).toMatch(/ IP 172\.30\.0\.11 > 203\.0\.113\.10: ICMP echo request/);
    expect(report.notes.join(' ')).toMatch(/conntrack/);
    expect(report.ok).toBe(true);
  });

  it('fails on a lab built to fail, saying why; a second run uses the running lab', async () => {
    const report = await service.live.check([{ file: 'fail.yaml', text: FAIL_FILE }], {
      name: FAIL_LAB,
    });
    expect(report.started).toBe(true);
    expect(report.ok).toBe(false);
    const [icmp, tcp] = report.entries;
    // natOutgoing is off: the host sees the pod's own address, and nothing routes replies back.
    expect(icmp!.ok).toBe(false);
    expect(icmp!.seenAs).toBe('pod');
    expect(icmp!.replies).toEqual({ sent: 3, received: 0 });
    expect(icmp!.mismatches.join('\n')).toMatch(
      /seenAs: expected node, internet saw 192\.168\.\d+\.\d+ \(pod web-1\)/,
    );
    expect(icmp!.mismatches.join('\n')).toMatch(/reply: expected replies, 0\/3 probes answered/);
    // The TCP entry expects exactly that, so it holds.
    expect(tcp!.ok).toBe(true);
    expect(tcp!.seenAs).toBe('pod');
    expect(tcp!.replies.received).toBe(0);
    expect(formatCheck(report)).toMatch(/^FAIL {2}web-1 -> internet \(icmp\)/m);
    expect(formatCheck(report)).toMatch(/1\/2 expectations hold/);

    const again = await service.live.check(FAIL_LAB);
    expect(again.started).toBe(false);
    expect(again.entries.map((e) => e.ok)).toEqual([false, true]);
  });

  it('checks entries that start at a host (inbound over BGP) and TCP entries (port from the host tcpPorts)', async () => {
    const text = readFileSync(
      new URL('../../lab-templates/inbound-over-bgp.yaml', import.meta.url),
      'utf8',
    );
    const report = await service.live.check([{ file: 'inbound-over-bgp.yaml', text }], {
      name: INBOUND_LAB,
    });
    const inbound = report.entries.filter((e) => e.expectation.from === 'client');
    expect(inbound.length).toBeGreaterThan(0);
    for (const e of inbound) {
      expect(e.capturedOn).toBe(e.expectation.to); // the destination pod's own capture
      expect(e.seenSources).toEqual(['203.0.113.10']);
      expect(e.replies.received).toBeGreaterThan(0);
    }
    const tcp = report.entries.find((e) => e.expectation.protocol === 'tcp');
    expect(tcp?.lines[0]).toMatch(/ > 203\.0\.113\.\d+\.8080: Flags \[S\]/);
    expect(report.entries.map((e) => e.mismatches)).toEqual(report.entries.map(() => []));
  });
});
