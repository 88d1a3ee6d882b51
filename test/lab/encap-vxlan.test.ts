// VXLAN CrossSubnet on the wire (template vxlan-cross-subnet): two racks behind the router;
// between racks the fabric carries UDP 4789 with the pods' packets inside, within a rack the
// pods' packets go natively; pod -> outside leaves natively, masqueraded to the node; the
// node's own traffic to a remote pod takes its tunnel address (cali-POSTROUTING's vxlan.calico
// rule and the route's source); large packets meet the pod MTU (1450). IPIP cannot run on this
// project's build machines (no ipip module): its lab test skips loudly (encap-ipip.test.ts).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import type { LabPlan } from '../../src/core/plan/types.js';
import type { LabRuntime } from '../../src/runtime/lab/lab-runtime.js';
import { labRuntime, pingObserved, requestSources } from './helpers.js';

const LAB = 'enc-vxlan-t';
let rt: LabRuntime;
let plan: LabPlan;

const text = readFileSync('lab-templates/vxlan-cross-subnet.yaml', 'utf8').replace(
  'name: vxlan-cross-subnet',
  `name: ${LAB}`,
);
const podAddr = (p: string) => plan.ipam.assignments.find((a) => a.pod === p)!.address;
const nodeAddr = (n: string) => plan.lab.nodes.find((x) => x.name === n)!.address;
const tunnelAddr = (n: string) => plan.ipam.tunnels!.find((t) => t.node === n)!.address;

/** tcpdump lines on one interface of one container while `from` pings `to`. */
async function captured(
  at: string,
  iface: string,
  filter: string[],
  from: string,
  to: string,
): Promise<string[]> {
  const cap = rt.capture(LAB, at, { iface, filter });
  const lines: string[] = [];
  const reader = (async () => {
    for await (const l of cap) lines.push(l);
  })();
  await cap.ready;
  const p = await rt.ping(LAB, from, podAddr(to), 3);
  expect(p.received).toBe(3);
  await new Promise((r) => setTimeout(r, 200)); // the last packets reach tcpdump
  await cap.stop();
  await reader;
  return lines;
}

beforeAll(async () => {
  ({ runtime: rt } = await labRuntime());
  plan = planLab(loadLab([{ file: 'vxlan-cross-subnet.yaml', text }]));
  await rt.down(LAB);
  await rt.up(plan);
}, 180_000);

afterAll(async () => {
  await rt?.down(LAB);
});

describe('VXLAN CrossSubnet on the wire', () => {
  it('between racks: outer UDP 4789 node -> node, VNI 4096, inner pod -> pod', async () => {
    const lines = await captured(
      'tor',
      'f-node-b1',
      ['udp', 'port', '4789', 'or', 'icmp'],
      'pod-a1',
      'pod-b1',
    );
    const outer = lines.filter(
      (l) =>
        l.includes(`IP ${nodeAddr('node-a1')}.`) &&
        l.includes(`> ${nodeAddr('node-b1')}.4789: VXLAN`),
    );
    expect(outer).toHaveLength(3);
    expect(outer.every((l) => l.includes('vni 4096'))).toBe(true);
    // tcpdump prints the inner header on the line after each outer one (no timestamp of its
    // own); no packet with pod addresses crosses the fabric outside the tunnel.
    const inner = `IP ${podAddr('pod-a1')} > ${podAddr('pod-b1')}: ICMP echo request`;
    const innerAt = lines.flatMap((l, i) => (l.startsWith(inner) ? [i] : []));
    expect(innerAt).toHaveLength(3);
    expect(innerAt.every((i) => lines[i - 1]!.includes('VXLAN'))).toBe(true);
    expect(lines.filter((l) => /^\d/.test(l) && l.includes('ICMP'))).toEqual([]);
  });

  it('within a rack: native, no VXLAN on the wire', async () => {
    const lines = await captured(
      'tor',
      'f-node-a2',
      ['udp', 'port', '4789', 'or', 'icmp'],
      'pod-a1',
      'pod-a2',
    );
    expect(lines.some((l) => l.includes('VXLAN'))).toBe(false);
    expect(requestSources(lines, podAddr('pod-a2'))).toEqual(Array(3).fill(podAddr('pod-a1')));
  });

  it('pod -> outside leaves natively, masqueraded to its node', async () => {
    const o = await pingObserved(rt, LAB, 'pod-b1', '203.0.113.10', ['internet']);
    expect(o.received).toBe(3);
    expect(requestSources(o.at.internet!, '203.0.113.10')).toEqual(
      Array(3).fill(nodeAddr('node-b1')),
    );
  });

  it("pod -> another rack's node: native, masqueraded to the pod's node (natOutgoing)", async () => {
    const o = await pingObserved(rt, LAB, 'pod-a1', nodeAddr('node-b1'), ['node-b1']);
    expect(o.received).toBe(3);
    expect(requestSources(o.at['node-b1']!, nodeAddr('node-b1'))).toEqual(
      Array(3).fill(nodeAddr('node-a1')),
    );
  });

  it("a node's own traffic to a remote pod leaves from its tunnel address", async () => {
    const o = await pingObserved(rt, LAB, 'node-a1', podAddr('pod-b1'), ['pod-b1']);
    expect(o.received).toBe(3);
    expect(requestSources(o.at['pod-b1']!, podAddr('pod-b1'))).toEqual(
      Array(3).fill(tunnelAddr('node-a1')),
    );
  });

  it('vxlan.calico and the pods have MTU 1450: 1422 bytes pass with DF, 1423 do not', async () => {
    const link = await rt.exec(LAB, 'node-a1', ['ip', '-d', 'link', 'show', 'vxlan.calico']);
    expect(link.stdout).toMatch(/mtu 1450 /);
    expect(link.stdout).toMatch(/vxlan id 4096 local \S+ .*dstport 4789 nolearning/);
    const ping = (size: number) =>
      rt.exec(LAB, 'pod-a1', [
        'ping',
        '-c',
        '1',
        '-W',
        '1',
        '-M',
        'do',
        '-s',
        String(size),
        podAddr('pod-b1'),
      ]);
    expect((await ping(1422)).exitCode).toBe(0);
    const big = await ping(1423);
    expect(big.exitCode).not.toBe(0);
    expect(big.stdout + big.stderr).toContain('mtu=1450');
  });

  it("the kernel holds Felix's rule in cali-POSTROUTING with its cali: hash", async () => {
    const r = await rt.exec(LAB, 'node-a1', ['iptables-save', '-t', 'nat']);
    expect(r.stdout).toContain(
      '-A cali-POSTROUTING -o vxlan.calico -m comment --comment "cali:e9dnSgSVNmIcpVhP" -m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type LOCAL -j MASQUERADE --random-fully',
    );
  });
});
