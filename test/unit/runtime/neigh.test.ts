import { describe, expect, it } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/load.js';
import { planLab } from '../../../src/core/plan/index.js';
import {
  neighbourAdvice,
  neighbourEstimate,
  neighbourRaise,
  MAX_NEIGHBOUR_RAISE,
  neighbourTarget,
  raiseLocalNeighbourLimit,
} from '../../../src/runtime/lab/neigh.js';
import { scenarioYaml } from '../../lab/fixtures/scenario-lab.js';

function bigLab(nodes: number, podsPerNode: number): string {
  const ns = Array.from(
    { length: nodes },
    (_, i) => `    - { name: n${i + 1}, address: 172.30.0.${i + 11} }`,
  );
  const ps = Array.from(
    { length: nodes * podsPerNode },
    (_, k) => `    - { name: p${k + 1}, node: n${(k % nodes) + 1} }`,
  );
  return `apiVersion: egress-lab/v1
kind: Lab
metadata: { name: big }
spec:
  fabric: { cidr: 172.30.0.0/24 }
  router: { name: tor, address: 172.30.0.1, asNumber: 64500 }
  nodes:
${ns.join('\n')}
  pods:
${ps.join('\n')}
  hosts:
    - { name: internet, address: 203.0.113.10/24 }
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: { name: default-ipv4-ippool }
spec: { cidr: 192.168.0.0/16, natOutgoing: true }
`;
}

describe('neighbourEstimate', () => {
  it('counts all-to-all on the fabric bridge and two per point-to-point link', () => {
    // fabric: tor + 2 nodes (3 stations, 6 entries); 2 pod links and 1 host link (2 each)
    const plan = planLab(loadLab([{ file: 'a.yaml', text: scenarioYaml({ natOutgoing: true }) }]));
    expect(neighbourEstimate(plan)).toBe(6 + 4 + 2);
  });
  it('grows with the square of the nodes: 50 nodes x 10 pods is beyond the default 1024', () => {
    const plan = planLab(loadLab([{ file: 'b.yaml', text: bigLab(50, 10) }]));
    expect(neighbourEstimate(plan)).toBe(51 * 50 + 500 * 2 + 2);
    expect(neighbourAdvice(3552, 1024)).toMatch(/gc_thresh3=8192/);
  });
});

describe('raising the shared ARP limit', () => {
  it('asks for a power of two with room for twice what the lab needs', () => {
    for (const needed of [10, 2450, 3500, 20_000]) {
      const t = neighbourTarget(needed);
      expect(t.thresh3).toBeGreaterThanOrEqual(needed * 2);
      expect(Math.log2(t.thresh3) % 1).toBe(0);
      expect(t.thresh2).toBe(t.thresh3 / 2);
    }
  });

  it('raises only what does not fit, never lowers, and never past the cap', () => {
    expect(neighbourRaise(500, 1024)).toBeUndefined();
    expect(neighbourRaise(3552, 1024)).toEqual({ thresh2: 4096, thresh3: 8192 });
    expect(neighbourRaise(3552, 16384)).toBeUndefined();
    expect(neighbourRaise(50_000_000, 1024)).toEqual({
      thresh2: MAX_NEIGHBOUR_RAISE / 2,
      thresh3: MAX_NEIGHBOUR_RAISE,
    });
    expect(neighbourRaise(50_000_000, MAX_NEIGHBOUR_RAISE * 2)).toBeUndefined();
  });

  it('leaves the machine alone when told to, or when the lab fits', () => {
    expect(raiseLocalNeighbourLimit(1_000_000, { EGRESS_LAB_NO_SYSCTL: '1' })).toBeUndefined();
    expect(raiseLocalNeighbourLimit(1, {})).toBeUndefined();
  });
});
