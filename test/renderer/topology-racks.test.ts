// Racks and tunnels in the topology: with several router bridges (fabric.racks) each
// router -> node edge names the node's rack; when the explained traffic is encapsulated, the
// path's fabric edges say how (VXLAN port and VNI, or IPIP).
import { describe, expect, it } from 'vitest';
import { buildTopology } from '../../renderer/src/lib/topology/layout.js';
import type { Explanation } from '../../src/core/explain/types.js';
import type { LabStatus } from '../../src/service/api.js';

const lab: LabStatus = {
  name: 'racks',
  running: true,
  pools: [],
  containers: [
    {
      name: 'tor',
      role: 'router',
      state: 'running',
      addresses: [
        { ifname: 'br0', address: '172.30.1.1/24' },
        { ifname: 'br1', address: '172.30.2.1/24' },
      ],
    },
    { name: 'node-a1', role: 'node', state: 'running', addresses: [] },
    { name: 'node-b1', role: 'node', state: 'running', addresses: [] },
    { name: 'pod-a1', role: 'pod', state: 'running', addresses: [], node: 'node-a1' },
    { name: 'pod-b1', role: 'pod', state: 'running', addresses: [], node: 'node-b1' },
  ],
  pods: [
    { name: 'pod-a1', node: 'node-a1', address: '192.168.0.1', pool: 'p' },
    { name: 'pod-b1', node: 'node-b1', address: '192.168.0.65', pool: 'p' },
  ],
  hosts: [],
  nodes: [
    { name: 'node-a1', address: '172.30.1.2/24' },
    { name: 'node-b1', address: '172.30.2.2/24' },
  ],
  router: { name: 'tor', address: '172.30.1.1' },
};

const label = (edges: { id: string; label?: string }[], id: string) =>
  edges.find((e) => e.id === id)?.label;

describe('topology with racks and tunnels', () => {
  it("names each node's rack on its router edge", () => {
    const { edges } = buildTopology(lab);
    expect(label(edges, 'tor--node-a1')).toBe('rack br0');
    expect(label(edges, 'tor--node-b1')).toBe('rack br1');
  });

  it('marks the encapsulated path with the tunnel', () => {
    const explanation = {
      encapsulation: {
        kind: 'vxlan',
        device: 'vxlan.calico',
        outerSource: '172.30.1.2',
        outerDestination: '172.30.2.2',
        port: 4789,
        vni: 4096,
        podMtu: 1450,
      },
    } as unknown as Explanation;
    const { edges } = buildTopology(lab, { from: 'pod-a1', to: 'pod-b1', explanation });
    expect(label(edges, 'tor--node-a1')).toBe('rack br0 · VXLAN UDP 4789 VNI 4096');
    expect(label(edges, 'tor--node-b1')).toBe('rack br1 · VXLAN UDP 4789 VNI 4096');
  });
});
