// Racks on the engine: (1) a live change that drops routes removes them from the kernel, as
// Felix's route manager does (vxlanMode CrossSubnet -> Always: the same-rack routes `via <node>
// dev eth0` are replaced by tunnel ones; Always -> Never: the lab's blackhole and its old pod
// route go, BIRD's `proto bird` routes stay); (2) BGP to the router per rack: a rack-b node whose BGPPeer names
// the first rack's router address, and one whose BGPPeer names rack-b's, both Established.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import type { LabPlan } from '../../src/core/plan/types.js';
import type { LabRuntime } from '../../src/runtime/lab/lab-runtime.js';
import { labRuntime } from './helpers.js';

const LAB = 'rt-racks-t';
let rt: LabRuntime;
let plan: LabPlan;

const PEERS = `---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor}
spec: {peerIP: 172.30.1.1, asNumber: 64500}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor-rack-b}
spec: {node: node-b2, peerIP: 172.30.2.1, asNumber: 64500}
`;
const text = (mode: string): string =>
  readFileSync('lab-templates/vxlan-cross-subnet.yaml', 'utf8')
    .replace('name: vxlan-cross-subnet', `name: ${LAB}`)
    .replace(
      '    - { name: node-b1, rack: rack-b }\n',
      '    - { name: node-b1, rack: rack-b }\n    - { name: node-b2, rack: rack-b }\n',
    )
    .replace('  vxlanMode: CrossSubnet\n', `  vxlanMode: ${mode}\n`) + PEERS;
const load = (mode: string): LabPlan => planLab(loadLab([{ file: 'lab.yaml', text: text(mode) }]));
const blockOf = (p: LabPlan, n: string) => p.ipam.blocks.find((b) => b.node === n)!.cidr;
const routes = async (c: string) => (await rt.exec(LAB, c, ['ip', 'route', 'show'])).stdout;

beforeAll(async () => {
  ({ runtime: rt } = await labRuntime());
  plan = load('CrossSubnet');
  await rt.down(LAB);
  await rt.up(plan);
}, 240_000);

afterAll(async () => {
  await rt?.down(LAB);
});

describe('racks on the engine', () => {
  it("rack-b nodes' sessions with the router are Established, at either router address", async () => {
    const protocols = (
      await rt.exec(LAB, 'tor', ['birdc', '-s', '/run/bird/bird.ctl', 'show', 'protocols'])
    ).stdout;
    // node-b1 (172.30.2.2) dials the first rack's address; node-b2 (172.30.2.3) rack-b's.
    expect(protocols).toMatch(/^Node_172_30_2_2\s+BGP\s.*\sup\s.*Established/m);
    expect(protocols).toMatch(/^Node_172_30_2_3\s+BGP\s.*\sup\s.*Established/m);
    const b1 = (
      await rt.exec(LAB, 'node-b1', ['birdc', '-s', '/run/bird/bird.ctl', 'show', 'protocols'])
    ).stdout;
    expect(b1).toMatch(/^Global_172_30_1_1\s+BGP\s.*Established/m);
    const b2 = (
      await rt.exec(LAB, 'node-b2', ['birdc', '-s', '/run/bird/bird.ctl', 'show', 'protocols'])
    ).stdout;
    expect(b2).toMatch(/^Node_172_30_2_1\s+BGP\s.*Established/m);
    // The router learned both nodes' blocks over those sessions.
    const tor = await routes('tor');
    // (every node announces every block it knows: next hops via all four nodes)
    expect(tor).toContain('nexthop via 172.30.2.2 dev br1');
    expect(tor).toContain('nexthop via 172.30.2.3 dev br1');
  });

  it('vxlanMode CrossSubnet -> Always on the running lab: the same-rack routes are gone', async () => {
    const a2 = blockOf(plan, 'node-a2');
    const before = await routes('node-a1');
    expect(before).toMatch(
      new RegExp(`^${a2.replace(/\./g, '\\.')} via 172\\.30\\.1\\.3 dev eth0`, 'm'),
    );
    const next = load('Always');
    const nodes = next.containers.filter((c) => c.role === 'node');
    const out = await rt.applyDataplane(LAB, nodes);
    expect(out.every((o) => o.ok)).toBe(true);
    const after = await routes('node-a1');
    expect(after, after).not.toMatch(/via 172\.30\.1\.3 dev eth0/);
    expect(after).toMatch(
      new RegExp(`^${a2.replace(/\./g, '\\.')} via \\S+ dev vxlan\\.calico`, 'm'),
    );
  });

  it("vxlanMode Always -> Never: the lab's blackhole and tunnel routes go, BIRD's alone remain", async () => {
    const next = load('Never');
    const out = await rt.applyDataplane(
      LAB,
      next.containers.filter((c) => c.role === 'node'),
    );
    expect(out.every((o) => o.ok)).toBe(true);
    const after = await routes('node-a1');
    // Every route to a block is BIRD's now (its blackhole for the local one, the mesh's others).
    const all = next.ipam.blocks.map((b) => b.cidr);
    const blocks = after
      .split('\n')
      .filter((l) => all.some((c) => l.replace(/^blackhole /, '').startsWith(`${c} `)));
    expect(blocks, after).toContain(`blackhole ${blockOf(next, 'node-a1')} proto bird metric 32 `);
    expect(
      blocks.every((l) => l.includes('proto bird')),
      after,
    ).toBe(true);
    expect(after).not.toContain('vxlan.calico');
  });
});
