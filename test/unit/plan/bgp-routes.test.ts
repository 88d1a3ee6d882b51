import { describe, expect, test } from 'vitest';
import { expectedSessions, meshLearned, routerLearned } from '../../../src/core/plan/bgp-routes.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { makeLab, peer, pool } from '../helpers/lab.js';

/** The node's block in pool "a" or the default pool (chosen by IPAM, Calico's walk). */
const blockOf = (plan: ReturnType<typeof planLab>, node: string) =>
  plan.ipam.blocks.find((b) => b.node === node && b.cidr.startsWith('192.168.'))!.cidr;

describe('BGP reachability from the plan', () => {
  test("mesh: each node learns the other node's block", () => {
    const plan = planLab(makeLab());
    expect(meshLearned(plan, 'node-1')).toEqual([
      { cidr: blockOf(plan, 'node-2'), via: '172.30.0.12', node: 'node-2' },
    ]);
    expect(routerLearned(plan)).toEqual([]);
  });

  test('router learns blocks from peered nodes, re-announced mesh blocks included, disableBGPExport excluded', () => {
    const lab = makeLab({
      ipPools: [
        pool('a', '192.168.0.0/16'),
        pool('hidden', '10.9.0.0/16', { disableBGPExport: true }),
      ],
      pods: [
        { name: 'web-1', node: 'node-1', namespace: 'default', labels: {}, annotations: {} },
        { name: 'db-1', node: 'node-2', namespace: 'default', labels: {}, annotations: {} },
        {
          name: 'x',
          node: 'node-2',
          namespace: 'default',
          labels: {},
          annotations: { 'cni.projectcalico.org/ipv4pools': '["hidden"]' },
        },
      ],
      bgpPeers: [peer('tor', '172.30.0.1', 64500, { node: 'node-1' })],
    });
    const plan = planLab(lab);
    expect(routerLearned(plan)).toEqual([
      { cidr: blockOf(plan, 'node-1'), via: '172.30.0.11', node: 'node-1' },
      { cidr: blockOf(plan, 'node-2'), via: '172.30.0.11', node: 'node-1' },
    ]);
  });

  test('expected sessions: mesh both ways, router sessions only with the right AS, unknown peers never', () => {
    const lab = makeLab({
      bgpPeers: [
        peer('tor', '172.30.0.1', 64500, { node: 'node-1' }),
        peer('bad-as', '172.30.0.1', 64999, { node: 'node-2' }),
        peer('ghost', '172.30.0.99', 65000),
      ],
    });
    const s = expectedSessions(planLab(lab)).map((x) => [x.container, x.protocol, x.expectUp]);
    expect(s).toEqual([
      ['node-1', 'Mesh_172_30_0_12', true],
      ['node-1', 'Global_172_30_0_99', false],
      ['node-1', 'Node_172_30_0_1', true],
      ['node-2', 'Mesh_172_30_0_11', true],
      ['node-2', 'Global_172_30_0_99', false],
      ['node-2', 'Node_172_30_0_1', false],
      ['tor', 'Node_172_30_0_11', true],
      ['tor', 'Node_172_30_0_12', false],
    ]);
  });
});
