import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderBirdConfig } from '../../../src/core/plan/render-container.js';
import type { LabPlan } from '../../../src/core/plan/types.js';
import { makeLab, peer, pool } from '../helpers/lab.js';

const BIRD = '/usr/sbin/bird';
const dir = mkdtempSync(join(tmpdir(), 'egress-lab-bird-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `bird -p` only parses the file (it never starts the daemon). */
function parseCheck(name: string, text: string): void {
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, text);
  execFileSync(BIRD, ['-p', '-c', file], { encoding: 'utf8', stdio: 'pipe' });
}

const bird = (plan: LabPlan, name: string) =>
  renderBirdConfig(plan.containers.find((c) => c.name === name)!)!;

const labs = {
  default: makeLab(),
  noMesh: makeLab({
    bgpConfiguration: {
      kind: 'BGPConfiguration',
      name: 'default',
      spec: { asNumber: 64512, nodeToNodeMeshEnabled: false },
    },
  }),
  peered: makeLab({
    ipPools: [
      pool('default-ipv4-ippool', '192.168.0.0/16'),
      pool('hidden', '10.9.0.0/16', { disableBGPExport: true }),
    ],
    bgpPeers: [
      peer('tor', '172.30.0.1', 64500, { keepOriginalNextHop: true }),
      peer('n1-only', '172.30.0.99', 65000, { nodeSelector: "zone == 'a'" }),
    ],
  }),
  noPods: makeLab({ pods: [] }),
};

describe('node BIRD config', () => {
  const plan = planLab(labs.peered);
  const n1 = bird(plan, 'node-1');
  // node-1's block, as IPAM chose it (not hard-coded: the choice is Calico's, by node name).
  const block1 = plan.ipam.blocks.find((b) => b.node === 'node-1')!.cidr;
  test('router id, blackholes of local blocks, kernel export', () => {
    expect(n1).toContain('router id 172.30.0.11;');
    expect(n1).toContain(
      `protocol static {\n  ipv4;\n  # IP blocks for this host.\n  route ${block1} blackhole;\n}`,
    );
    expect(n1).toContain('export filter calico_kernel_programming;');
  });
  test('export filter: disableBGPExport pools rejected first, local block accepted, pools accepted', () => {
    expect(n1).toContain('if ( net ~ 10.9.0.0/16 ) then { reject; }');
    expect(n1).toContain(`if ( net = ${block1} ) then { accept; }`);
    expect(n1).toContain(`if ( net ~ ${block1} ) then { reject; }`);
    expect(n1).toContain('if ( net ~ 192.168.0.0/16 ) then { accept; }');
    expect(n1).not.toContain('if ( net ~ 10.9.0.0/16 ) then { accept; }');
  });
  test('mesh: the node with the higher address (as a string) is passive', () => {
    expect(n1).toMatch(
      /protocol bgp Mesh_172_30_0_12 from bgp_template \{\n {2}neighbor 172\.30\.0\.12 as 64512;\n {2}source address 172\.30\.0\.11;.*\n {2}passive on;/,
    );
    expect(bird(plan, 'node-2')).toMatch(
      /protocol bgp Mesh_172_30_0_11 from bgp_template \{\n {2}neighbor 172\.30\.0\.11 as 64512;\n {2}source address 172\.30\.0\.12;.*\n {2}graceful restart time 120;/,
    );
  });
  test('BGPPeers: global for every node, nodeSelector only where it matches; next hop keep on eBGP', () => {
    expect(n1).toMatch(
      /protocol bgp Global_172_30_0_1 from bgp_template \{\n {2}neighbor 172\.30\.0\.1 as 64500;[\s\S]*?next hop keep;/,
    );
    expect(n1).toContain('protocol bgp Node_172_30_0_99 from bgp_template {');
    expect(bird(plan, 'node-2')).toContain('protocol bgp Global_172_30_0_1 ');
    expect(bird(plan, 'node-2')).not.toContain('Node_172_30_0_99');
  });
  test('connect delay time 0 in the template (lab BIRD: 0.1 s, Calico: 2 s)', () => {
    expect(n1).toContain('connect delay time 0;');
  });
  test('mesh disabled: no Mesh_ protocols', () => {
    const t = bird(planLab(labs.noMesh), 'node-1');
    expect(t).not.toContain('Mesh_');
    expect(t).toContain('# Node-to-node mesh disabled');
  });
});

describe('sessionsDisabled', () => {
  test('adds `disabled;` first in every bgp protocol of nodes and router, nothing else', () => {
    const plan = planLab(labs.peered);
    let protocols = 0;
    for (const c of plan.containers) {
      const on = renderBirdConfig(c);
      const off = renderBirdConfig(c, { sessionsDisabled: true });
      if (on === undefined) {
        expect(off).toBeUndefined();
        continue;
      }
      const offLines = off!.split('\n');
      // Removing the `disabled;` lines gives back the real config, line for line.
      expect(offLines.filter((l) => l !== '  disabled;').join('\n')).toBe(on);
      offLines.forEach((l, i) => {
        if (l !== '  disabled;') return;
        expect(offLines[i - 1]).toMatch(/^protocol bgp \w+ from \w+ \{$/);
        protocols++;
      });
      expect(offLines.filter((l) => l === '  disabled;').length).toBe(
        on.split('\n').filter((l) => l.startsWith('protocol bgp ')).length,
      );
    }
    expect(protocols).toBeGreaterThan(2); // mesh, global peers and the router's sessions
  });
});

describe.skipIf(!existsSync(BIRD))('BIRD 2 parses every generated config (bird -p)', () => {
  for (const [name, lab] of Object.entries(labs)) {
    test(name, () => {
      const plan = planLab(lab);
      for (const c of plan.containers) {
        for (const sessionsDisabled of [false, true]) {
          const text = renderBirdConfig(c, { sessionsDisabled });
          if (text === undefined) continue;
          expect(() => parseCheck(`${name}-${c.name}`, text)).not.toThrow();
        }
      }
    });
  }
});

describe.skipIf(!existsSync(BIRD))('BIRD 2 parses the configs of every lab template', () => {
  const dirT = join(import.meta.dirname, '../../../lab-templates');
  for (const file of readdirSync(dirT).filter((f) => f.endsWith('.yaml'))) {
    test(file, () => {
      const plan = planLab(loadLab([{ file, text: readFileSync(join(dirT, file), 'utf8') }]));
      for (const c of plan.containers) {
        const text = renderBirdConfig(c);
        if (text !== undefined) expect(() => parseCheck(`${file}-${c.name}`, text)).not.toThrow();
      }
    });
  }
});
