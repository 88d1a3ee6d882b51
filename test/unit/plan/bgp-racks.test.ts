// BGP to the router with racks: the router answers on each rack's address
// (lab.fabric.racks[].routerAddress). A node peers with it where its BGPPeer says; the router's
// session uses that address as its local one; a global BGPPeer at the first rack's address
// works for a rack-b node too (the node dials it multihop, as confd's template does).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderBirdConfig } from '../../../src/core/plan/render-container.js';
import { expectedSessions } from '../../../src/core/plan/bgp-routes.js';
import type { LabPlan } from '../../../src/core/plan/types.js';

const LAB = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: rt-racks}
spec:
  fabric:
    racks:
      - {name: rack-a, cidr: 172.30.1.0/24}
      - {name: rack-b, cidr: 172.30.2.0/24}
  router: {name: tor, asNumber: 64500}
  nodes:
    - {name: node-a1, rack: rack-a}
    - {name: node-b1, rack: rack-b}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor}
spec: {peerIP: 172.30.1.1, asNumber: 64500}
`;
const RACK_B_PEER = `---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor-rack-b}
spec: {node: node-b1, peerIP: 172.30.2.1, asNumber: 64500}
`;

const plan = (text: string): LabPlan => planLab(loadLab([{ file: 'lab.yaml', text }]));
const bird = (p: LabPlan, name: string): string =>
  renderBirdConfig(p.containers.find((c) => c.name === name)!)!;
/** One `protocol bgp NAME … }` block of a BIRD config. */
function block(conf: string, name: string): string {
  const m = new RegExp(`^protocol bgp ${name} [^\\n]*\\{\\n([\\s\\S]*?)^\\}`, 'm').exec(conf);
  expect(m, `${name} in\n${conf}`).not.toBeNull();
  return m![1]!;
}

describe('BGP to the router per rack', () => {
  it("a global BGPPeer at the first rack's address: rack-b's session is answered from it", () => {
    const p = plan(LAB);
    const tor = bird(p, 'tor');
    const a = block(tor, 'Node_172_30_1_2');
    expect(a).toContain('neighbor 172.30.1.2 as 64512;');
    expect(a).toContain('source address 172.30.1.1;');
    const b = block(tor, 'Node_172_30_2_2');
    expect(b).toContain('neighbor 172.30.2.2 as 64512;');
    // The router answers where the node dials: the node is on its rack-b bridge, so the
    // session is direct on the router's side (BIRD refuses multihop with direct gateways).
    expect(b).toContain('source address 172.30.1.1;');
    // The node's side (confd's template): multihop for every peer, from its own address.
    const nb = block(bird(p, 'node-b1'), 'Global_172_30_1_1');
    expect(nb).toContain('neighbor 172.30.1.1 as 64500;');
    expect(nb).toContain('source address 172.30.2.2;');
    expect(expectedSessions(p).filter((s) => s.neighbor === '172.30.1.1')).toEqual([
      expect.objectContaining({ container: 'node-a1', expectUp: true }),
      expect.objectContaining({ container: 'node-b1', expectUp: true }),
    ]);
  });

  it("a BGPPeer at rack-b's router address is accepted; the router peers from it, directly", () => {
    const p = plan(LAB + RACK_B_PEER);
    const b = block(bird(p, 'tor'), 'Node_172_30_2_2');
    expect(b).toContain('source address 172.30.2.1;');
    expect(block(bird(p, 'tor'), 'Node_172_30_1_2')).toContain('source address 172.30.1.1;');
    const nb = bird(p, 'node-b1');
    expect(block(nb, 'Node_172_30_2_1')).toContain('source address 172.30.2.2;');
    // The router has one session with node-b1, at its rack's address: the global one stays down.
    const b1 = expectedSessions(p).filter(
      (s) => s.container === 'node-b1' && s.neighbor !== '172.30.1.2',
    );
    expect(b1).toEqual([
      expect.objectContaining({
        neighbor: '172.30.1.1',
        expectUp: false,
        reason: 'the router peers with node-b1 from 172.30.2.1',
      }),
      expect.objectContaining({ neighbor: '172.30.2.1', expectUp: true }),
    ]);
  });

  it('a BGPPeer at a rack router address with the wrong AS is refused at its field', () => {
    const text = LAB + RACK_B_PEER.replace('asNumber: 64500}', 'asNumber: 65000}');
    expect(() => loadLab([{ file: 'lab.yaml', text }])).toThrow(
      /asNumber 65000 does not match the router's AS 64500/,
    );
  });

  it.skipIf(!existsSync('/usr/sbin/bird'))('BIRD parses the router config with both kinds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rt-bird-'));
    try {
      for (const [i, text] of [LAB, LAB + RACK_B_PEER].entries()) {
        const f = join(dir, `tor${i}.conf`);
        writeFileSync(f, bird(plan(text), 'tor'));
        const r = spawnSync('/usr/sbin/bird', ['-p', '-c', f], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
