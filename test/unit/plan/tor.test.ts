// A top-of-rack router per rack (fabric.racks[].tor, AS per rack): the plan moves each ToR
// rack's segment from the spine into the ToR's container, links it to the spine with a /31,
// and the BIRD configs say iBGP (route reflector) with the rack's nodes, eBGP with the spine,
// the ToR's export filter deciding what the spine learns. explain follows the same data.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explain } from '../../../src/core/explain/explain.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { expectedSessions, routerLearned } from '../../../src/core/plan/bgp-routes.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderBirdConfig } from '../../../src/core/plan/render-container.js';
import type { LabPlan } from '../../../src/core/plan/types.js';

const TEMPLATE = readFileSync('lab-templates/l3-fabric-two-racks.yaml', 'utf8');
const plan = (text: string): LabPlan => planLab(loadLab([{ file: 'lab.yaml', text }]));
const c = (p: LabPlan, name: string) => p.containers.find((x) => x.name === name)!;
const bird = (p: LabPlan, name: string): string => renderBirdConfig(c(p, name))!;
function block(conf: string, name: string): string {
  const m = new RegExp(`^protocol bgp ${name} [^\\n]*\\{\\n([\\s\\S]*?)^\\}`, 'm').exec(conf);
  expect(m, `${name} in\n${conf}`).not.toBeNull();
  return m![1]!;
}
const exporting = TEMPLATE.replace('asNumber: 65102, exportPodBlocks: false', 'asNumber: 65102');

describe('a top-of-rack router per rack', () => {
  const p = plan(TEMPLATE);

  it("moves each rack's segment into its ToR and links the ToR to the spine", () => {
    const spine = c(p, 'spine');
    expect(spine.role).toBe('router');
    // The spine keeps the hosts' segments; the racks' bridges and node ports are the ToRs'.
    expect(spine.bridges).toEqual([]);
    expect(spine.interfaces.map((i) => [i.ifname, i.addresses])).toEqual([
      ['h-internet', ['203.0.113.1/24']],
      ['tor0', ['169.254.100.0/31']],
      ['tor1', ['169.254.100.2/31']],
    ]);
    expect(spine.routes).toEqual([
      { dst: '172.30.1.0/24', via: '169.254.100.1', dev: 'tor0' },
      { dst: '172.30.2.0/24', via: '169.254.100.3', dev: 'tor1' },
    ]);
    const torA = c(p, 'rack-a-tor');
    expect(torA.role).toBe('tor');
    expect(torA.bridges).toEqual([{ name: 'br0' }]);
    expect(torA.interfaces.map((i) => [i.ifname, i.addresses, i.master])).toEqual([
      ['br0', ['172.30.1.1/24'], undefined],
      ['f-node-a1', [], 'br0'],
      ['f-node-a2', [], 'br0'],
      ['uplink', ['169.254.100.1/31'], undefined],
    ]);
    expect(torA.routes).toEqual([{ dst: 'default', via: '169.254.100.0', dev: 'uplink' }]);
    const ends = p.links.map(
      (l) => `${l.a.container}:${l.a.ifname}-${l.b.container}:${l.b.ifname}`,
    );
    expect(ends).toContain('node-a1:eth0-rack-a-tor:f-node-a1');
    expect(ends).toContain('node-b1:eth0-rack-b-tor:f-node-b1');
    expect(ends).toContain('rack-a-tor:uplink-spine:tor0');
    expect(ends).toContain('rack-b-tor:uplink-spine:tor1');
    // The spine's own address (router id) is its first uplink: no rack is its own any more.
    expect(p.lab.router.address).toBe('169.254.100.0');
  });

  it("gives the rack's nodes the rack's AS, iBGP with the ToR (route reflector), eBGP ToR-spine", () => {
    const node = bird(p, 'node-a1');
    expect(node).toContain('  local as 65101;');
    expect(block(node, 'Node_172_30_1_1')).toContain('neighbor 172.30.1.1 as 65101;');
    const tor = bird(p, 'rack-a-tor');
    expect(tor).toMatch(/template bgp rack_nodes \{[^}]*local as 65101;[^}]*rr client;/);
    expect(block(tor, 'Node_172_30_1_11')).toContain('neighbor 172.30.1.11 as 65101;');
    expect(block(tor, 'Node_172_30_1_12')).toContain('neighbor 172.30.1.12 as 65101;');
    const up = block(tor, 'Spine');
    expect(up).toContain('neighbor 169.254.100.0 as 65000;');
    expect(up).toContain('source address 169.254.100.1;');
    expect(up).toContain('export filter lab_export_to_spine;');
    const spine = bird(p, 'spine');
    expect(block(spine, 'Tor_169_254_100_1')).toContain('neighbor 169.254.100.1 as 65101;');
    expect(block(spine, 'Tor_169_254_100_3')).toContain('neighbor 169.254.100.3 as 65102;');
    expect(spine).not.toContain('No BGPPeer points at the router');
  });

  it("rack B's export filter keeps the pod blocks; rack A's passes them", () => {
    const filter = (conf: string) => /filter lab_export_to_spine\n\{([\s\S]*?)\n\}/.exec(conf)![1]!;
    expect(filter(bird(p, 'rack-a-tor'))).toContain('if ( source = RTS_BGP ) then { accept; }');
    expect(filter(bird(p, 'rack-b-tor'))).not.toContain('accept');
    const learned = routerLearned(p).map((r) => `${r.node}@${r.tor}`);
    expect(new Set(learned)).toEqual(new Set(['node-a1@rack-a-tor', 'node-a2@rack-a-tor']));
    const all = routerLearned(plan(exporting)).map((r) => r.node);
    expect(all).toContain('node-b1');
  });

  it('up waits for every ToR session: nodes, ToRs and spine', () => {
    const up = expectedSessions(p)
      .filter((s) => s.expectUp)
      .map((s) => `${s.container}/${s.protocol}`);
    expect(up.sort()).toEqual(
      [
        'node-a1/Node_172_30_1_1',
        'node-a2/Node_172_30_1_1',
        'node-b1/Node_172_30_2_1',
        'rack-a-tor/Node_172_30_1_11',
        'rack-a-tor/Node_172_30_1_12',
        'rack-a-tor/Spine',
        'rack-b-tor/Node_172_30_2_11',
        'rack-b-tor/Spine',
        'spine/Tor_169_254_100_1',
        'spine/Tor_169_254_100_3',
      ].sort(),
    );
  });

  it("explain: rack B's routed pod gets no reply because the spine has no route; NAT or export fixes it", () => {
    const b = explain(p, 'app-b', 'internet');
    expect(b.seenAs).toBe('pod');
    expect(b.reply).toBe(false);
    expect(b.routeBack.reason).toContain('the spine (spine) has no route to');
    expect(b.routeBack.reason).toContain('exportPodBlocks: false');
    const a = explain(p, 'app-a', 'internet');
    expect(a.reply).toBe(true);
    expect(a.routeBack.reason).toContain('through rack-a-tor');
    expect(explain(p, 'app-b-nat', 'internet')).toMatchObject({ seenAs: 'node', reply: true });
    expect(explain(plan(exporting), 'app-b', 'internet')).toMatchObject({
      seenAs: 'pod',
      reply: true,
    });
    const nat = TEMPLATE.replace(
      'cidr: 10.48.0.0/16\n  natOutgoing: false',
      'cidr: 10.48.0.0/16\n  natOutgoing: true',
    );
    expect(explain(plan(nat), 'app-b', 'internet')).toMatchObject({ seenAs: 'node', reply: true });
    // Rack-mates reach each other through the ToR's reflection, next hop kept.
    expect(explain(p, 'app-a', 'app-a2').forward?.reason).toContain(
      "through rack-a-tor, its rack's route reflector",
    );
  });

  it("explain to a ToR: its own rack's pods get replies from it, the other rack's need the spine", () => {
    expect(explain(p, 'app-b', 'rack-b-tor')).toMatchObject({ reply: true });
    expect(explain(p, 'app-b', 'rack-b-tor').routeBack.reason).toContain('rack-b-tor learned');
    // rack-a-tor answers through the spine, which has no route to app-b's block.
    expect(explain(p, 'app-b', 'rack-a-tor')).toMatchObject({ reply: false });
    expect(explain(p, 'app-a', 'rack-b-tor')).toMatchObject({ reply: true });
  });

  it.skipIf(!existsSync('/usr/sbin/bird'))('BIRD parses the ToR and spine configs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tor-bird-'));
    try {
      for (const name of ['spine', 'rack-a-tor', 'rack-b-tor', 'node-a1']) {
        const f = join(dir, `${name}.conf`);
        writeFileSync(f, bird(p, name));
        const r = spawnSync('/usr/sbin/bird', ['-p', '-c', f], { encoding: 'utf8' });
        expect(r.status, `${name}: ${r.stderr}`).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
