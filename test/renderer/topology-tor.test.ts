// Top-of-rack routers in the app's topology: the running lab's `tor` containers sit between the
// spine and the nodes; each node hangs off its rack's ToR (its address in the ToR's br0
// subnet) with its BGP state; the spine-ToR edge says the eBGP state; a pod's path to an
// outside host crosses its ToR and the spine.
import { describe, expect, it } from 'vitest';
import { buildTopology, trafficPath } from '../../renderer/src/lib/topology/layout.js';
import type { LabStatus } from '../../src/service/api.js';

const lab: LabStatus = {
  name: 'l3',
  running: true,
  pools: [],
  containers: [
    {
      name: 'spine',
      role: 'router',
      state: 'running',
      addresses: [
        { ifname: 'tor0', address: '169.254.100.0/31' },
        { ifname: 'tor1', address: '169.254.100.2/31' },
      ],
      bgp: [
        { peer: 'Tor_169_254_100_1', neighbor: '169.254.100.1', state: 'Established' },
        { peer: 'Tor_169_254_100_3', neighbor: '169.254.100.3', state: 'Established' },
      ],
    },
    {
      name: 'rack-a-tor',
      role: 'tor',
      state: 'running',
      addresses: [
        { ifname: 'br0', address: '172.30.1.1/24' },
        { ifname: 'uplink', address: '169.254.100.1/31' },
      ],
      bgp: [
        { peer: 'Node_172_30_1_11', neighbor: '172.30.1.11', state: 'Established' },
        { peer: 'Spine', neighbor: '169.254.100.0', state: 'Established' },
      ],
    },
    {
      name: 'rack-b-tor',
      role: 'tor',
      state: 'running',
      addresses: [
        { ifname: 'br0', address: '172.30.2.1/24' },
        { ifname: 'uplink', address: '169.254.100.3/31' },
      ],
      bgp: [{ peer: 'Spine', neighbor: '169.254.100.2', state: 'Connect' }],
    },
    { name: 'node-a1', role: 'node', state: 'running', addresses: [] },
    { name: 'node-b1', role: 'node', state: 'running', addresses: [] },
    { name: 'app-a', role: 'pod', state: 'running', addresses: [], node: 'node-a1' },
    { name: 'internet', role: 'host', state: 'running', addresses: [] },
  ],
  pods: [{ name: 'app-a', node: 'node-a1', address: '10.48.0.1', pool: 'p' }],
  hosts: [{ name: 'internet', address: '203.0.113.10/24' }],
  nodes: [
    { name: 'node-a1', address: '172.30.1.11' },
    { name: 'node-b1', address: '172.30.2.11' },
  ],
  router: { name: 'spine', address: '169.254.100.0' },
};

describe('topology with top-of-rack routers', () => {
  it('puts the ToRs between the spine and their nodes, with BGP states on the edges', () => {
    const { nodes, edges } = buildTopology(lab);
    const y = (n: string) => nodes.find((x) => x.id === n)!.position.y;
    expect(y('spine')).toBeLessThan(y('rack-a-tor'));
    expect(y('rack-a-tor')).toBeLessThan(y('node-a1'));
    expect(nodes.find((x) => x.id === 'rack-b-tor')!.data.role).toBe('tor');
    const ids = edges.map((e) => e.id);
    expect(ids).toContain('spine--rack-a-tor');
    expect(ids).toContain('rack-a-tor--node-a1');
    expect(ids).toContain('rack-b-tor--node-b1');
    expect(ids).not.toContain('spine--node-a1');
    const label = (id: string) => edges.find((e) => e.id === id)?.label;
    expect(label('spine--rack-a-tor')).toBe('eBGP Established');
    expect(label('spine--rack-b-tor')).toBe('eBGP Connect');
    expect(label('rack-a-tor--node-a1')).toContain('BGP Established');
    // The ToR's card names its peers after their containers.
    const torA = nodes.find((x) => x.id === 'rack-a-tor')!.data.bgp.map((b) => b.peer);
    expect(torA).toEqual(['node-a1', 'spine']);
  });

  it("a pod's path to an outside host crosses its ToR and the spine", () => {
    expect(trafficPath(lab, 'app-a', 'internet')).toEqual([
      'app-a',
      'node-a1',
      'rack-a-tor',
      'spine',
      'internet',
    ]);
  });
});
