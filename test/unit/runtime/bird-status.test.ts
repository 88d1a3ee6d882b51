import { describe, expect, it } from 'vitest';
import { parseBirdProtocols } from '../../../src/runtime/lab/bird-status.js';
import { blockingSessions } from '../../../src/runtime/lab/status.js';

// `birdc show protocols all` from BIRD 2.0.12 in the lab image (trimmed).
const ALL = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     19:34:00.733
kernel1    Kernel     master4    up     19:34:00.733
Mesh_172_30_0_12 BGP        ---        up     19:34:01.950  Established
  BGP state:          Established
    Neighbor address: 172.30.0.12
    Neighbor AS:      64512
  Channel ipv4
    State:          UP
Global_172_30_0_1 BGP        ---        start  19:34:00.733  Active        Socket: Connection refused
  BGP state:          Active
    Neighbor address: 172.30.0.1
    Neighbor AS:      64500
    Last error:       Socket: Connection refused
Node_10_9_9_9 BGP        ---        down   19:34:00.733
  BGP state:          Down
`;

describe('parseBirdProtocols', () => {
  it('finds the BGP sessions with their neighbours and states', () => {
    expect(parseBirdProtocols(ALL)).toEqual([
      { name: 'Mesh_172_30_0_12', neighbor: '172.30.0.12', state: 'Established', info: '' },
      {
        name: 'Global_172_30_0_1',
        neighbor: '172.30.0.1',
        state: 'Active',
        info: 'Socket: Connection refused',
      },
      { name: 'Node_10_9_9_9', state: 'Down', info: '' },
    ]);
  });

  it('blocks readiness on the sessions waited for only', () => {
    const s = parseBirdProtocols(ALL);
    expect(blockingSessions(s, ['Mesh_172_30_0_12'])).toEqual([]);
    expect(blockingSessions(s, ['Global_172_30_0_1']).map((x) => x.name)).toEqual([
      'Global_172_30_0_1',
    ]);
    expect(blockingSessions(s, ['Nope'])[0]).toMatchObject({ name: 'Nope', state: 'missing' });
    expect(blockingSessions(s, undefined).map((x) => x.name)).toEqual([
      'Global_172_30_0_1',
      'Node_10_9_9_9',
    ]);
  });
});

describe('bgpWaitList', () => {
  it('waits for the BGP protocols the core expects up, by the names in their BIRD configs', async () => {
    const { loadLab } = await import('../../../src/core/lab-file/load.js');
    const { planLab, renderBirdConfig } = await import('../../../src/core/plan/index.js');
    const { bgpWaitList } = await import('../../../src/runtime/lab/up.js');
    const { scenarioYaml } = await import('../../lab/fixtures/scenario-lab.js');
    const plan = planLab(
      loadLab([{ file: 'a.yaml', text: scenarioYaml({ natOutgoing: false, bgpToRouter: true }) }]),
    );
    const w = bgpWaitList(plan);
    expect([...w.keys()].sort()).toEqual(['node-1', 'node-2', 'tor']);
    expect(w.get('node-1')).toHaveLength(2); // mesh + router
    expect(w.get('tor')).toHaveLength(2); // one per node
    for (const [container, protocols] of w) {
      const bird = renderBirdConfig(plan.containers.find((c) => c.name === container)!)!;
      for (const p of protocols!) expect(bird).toMatch(new RegExp(`protocol bgp ${p}\\b`));
    }
    // without BGPPeer the router has no sessions to wait for
    const noPeer = bgpWaitList(
      planLab(loadLab([{ file: 'b.yaml', text: scenarioYaml({ natOutgoing: true }) }])),
    );
    expect(noPeer.has('tor')).toBe(false);
    expect(noPeer.get('node-2')).toHaveLength(1);
  });
});
