import { describe, expect, it } from 'vitest';
import { parseBirdProtocols } from '../../../src/runtime/bird-status.js';
import { blockingSessions } from '../../../src/runtime/status.js';

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
