// Route reflectors as confd renders them: a BGPPeer with a peerSelector peers the selected nodes
// with the nodes it applies to (and back), the reflector marks its clients `rr client`, and the
// clients learn each other's blocks through it; a node left without any peer is a warning.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { formatProblem } from '../../../src/core/errors.js';
import { loadLab, loadSources } from '../../../src/core/lab-file/load.js';
import { meshLearned } from '../../../src/core/plan/bgp-routes.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderBirdConfig } from '../../../src/core/plan/render-container.js';

const FILE = 'lab-templates/route-reflector.yaml';
const TEXT = readFileSync(FILE, 'utf8');

describe('route reflectors', () => {
  const plan = planLab(loadLab([{ file: FILE, text: TEXT }]));
  const node = (n: string) => plan.containers.find((c) => c.name === n)!;

  test('clients peer with the reflector only; the reflector has them as rr clients', () => {
    expect(node('node-1').dataplane!.bird.peers.map((p) => p.name)).toEqual(['Node_172_30_0_13']);
    const rr = node('rr-1').dataplane!.bird.peers;
    expect(rr.map((p) => [p.name, p.rrClusterId])).toEqual([
      ['Node_172_30_0_11', '244.0.0.1'],
      ['Node_172_30_0_12', '244.0.0.1'],
    ]);
    expect(renderBirdConfig(node('rr-1'))).toContain('  rr client;\n  rr cluster id 244.0.0.1;\n');
  });

  test("clients learn each other's blocks through the reflector, next hop the owner", () => {
    const owner2 = plan.ipam.blocks.find((b) => b.node === 'node-2')!.cidr;
    expect(meshLearned(plan, 'node-1')).toContainEqual({
      cidr: owner2,
      via: '172.30.0.12',
      node: 'node-2',
    });
  });

  test('without routeReflectorClusterID nothing is reflected', () => {
    const text = TEXT.replace(', routeReflectorClusterID: 244.0.0.1', '');
    const p = planLab(loadLab([{ file: FILE, text }]));
    expect(meshLearned(p, 'node-1')).toEqual([]); // rr-1 runs no pod: it has no block of its own
  });

  test('a bad cluster ID is Calico’s error; a node without peers is a warning', () => {
    const bad = TEXT.replace('routeReflectorClusterID: 244.0.0.1', 'routeReflectorClusterID: x');
    const r = loadSources([{ file: FILE, text: bad }], { requireLab: true });
    expect(r.problems.map(formatProblem).join('\n')).toContain(
      "spec.nodes[2].routeReflectorClusterID: error with field RouteReflectorClusterID = 'x'",
    );
    const lonely = TEXT.replace(
      "peerSelector: route-reflector == 'true'",
      "peerSelector: route-reflector == 'no'",
    );
    const w = loadSources([{ file: FILE, text: lonely }], { requireLab: true }).warnings ?? [];
    expect(w.map(formatProblem).join('\n')).toContain(
      'node node-1 has no BGP peer: nodeToNodeMeshEnabled is false and no BGPPeer selects it',
    );
  });
});
