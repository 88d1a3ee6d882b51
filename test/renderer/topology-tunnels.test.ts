// Tunnels and racks in the topology, from a real plan (plan/tunnels.ts via LabStatus.tunnels):
// a dashed tunnel edge per pair of nodes that encapsulate (CrossSubnet only across racks),
// rack boxes behind their nodes, rack names on the router edges, WireGuard on the cards.
import { describe, expect, it } from 'vitest';
import { buildTopology, cardSize } from '../../renderer/src/lib/topology/layout.js';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import { labTunnels } from '../../src/core/plan/tunnels.js';
import type { LabStatus } from '../../src/service/api.js';

const RACKS = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: topo-racks}
spec:
  fabric:
    racks:
      - {name: rack-a, cidr: 172.30.1.0/24}
      - {name: rack-b, cidr: 172.30.2.0/24}
  nodes:
    - {name: node-b1, rack: rack-b}
    - {name: node-a1, rack: rack-a}
    - {name: node-a2, rack: rack-a}
  pods:
    - {name: pod-a1, node: node-a1}
    - {name: pod-b1, node: node-b1}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pool-a}
spec:
  cidr: 192.168.0.0/16
`;
const felix = (spec: string) =>
  `---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: ${spec}\n`;

/** The LabStatus the service gives for this lab file before `up` (no containers yet). */
function status(text: string): LabStatus {
  const plan = planLab(loadLab([{ file: 'lab.yaml', text }]));
  const lab = plan.lab;
  return {
    name: lab.name,
    running: false,
    containers: [],
    pools: [],
    pods: plan.ipam.assignments.map((a) => ({ ...a, name: a.pod })),
    hosts: [],
    nodes: lab.nodes.map((n) => ({ name: n.name, address: n.address })),
    router: { name: lab.router.name, address: lab.router.address },
    tunnels: labTunnels(plan),
  };
}

const withMode = (mode: string) =>
  RACKS.replace('  cidr: 192.168.0.0/16\n', `  cidr: 192.168.0.0/16\n  ${mode}\n`);

describe('topology tunnels', () => {
  it('VXLAN CrossSubnet: a dashed tunnel edge per cross-rack pair, none within a rack', () => {
    const { edges } = buildTopology(status(withMode('vxlanMode: CrossSubnet')));
    const tunnels = edges.filter((e) => e.class?.split(' ').includes('tunnel'));
    expect(tunnels.map((e) => [e.source, e.target, e.label])).toEqual([
      ['node-b1', 'node-a1', 'VXLAN VNI 4096 :4789'],
      ['node-b1', 'node-a2', 'VXLAN VNI 4096 :4789'],
    ]);
    for (const t of tunnels) {
      expect(t).toMatchObject({
        type: 'tunnel',
        sourceHandle: 'tunnel-src',
        targetHandle: 'tunnel-dst',
      });
      expect(t.class).toContain('vxlan');
    }
    // Each tunnel its own height above the node row, so paths and labels stay apart.
    expect(new Set(tunnels.map((t) => t.data?.rise)).size).toBe(tunnels.length);
  });

  it('VXLAN Always: every pair, with the FelixConfiguration VNI and port', () => {
    const { edges } = buildTopology(
      status(withMode('vxlanMode: Always') + felix('{vxlanVNI: 4242, vxlanPort: 8472}')),
    );
    const labels = edges.filter((e) => e.class?.includes('tunnel')).map((e) => e.label);
    expect(labels).toEqual(Array(3).fill('VXLAN VNI 4242 :8472'));
  });

  it('IPIP Always: IPIP tunnel edges', () => {
    const { edges } = buildTopology(status(withMode('ipipMode: Always')));
    const tunnels = edges.filter((e) => e.class?.includes('tunnel'));
    expect(tunnels.map((e) => `${e.source}-${e.target} ${e.label} ${e.class}`)).toEqual([
      'node-b1-node-a1 IPIP tunnel ipip',
      'node-b1-node-a2 IPIP tunnel ipip',
      'node-a1-node-a2 IPIP tunnel ipip',
    ]);
  });

  it('no encapsulation: no tunnel edges', () => {
    const { edges } = buildTopology(status(RACKS));
    expect(edges.some((e) => e.class?.includes('tunnel'))).toBe(false);
  });
});

describe('topology racks', () => {
  it('draws each rack as a labelled box around exactly its nodes, and names it on router edges', () => {
    const lab = status(withMode('vxlanMode: CrossSubnet'));
    const { nodes, edges, racks } = buildTopology(lab);
    expect(racks.map((r) => [r.data.name, r.data.cidr])).toEqual([
      ['rack-a', '172.30.1.0/24'],
      ['rack-b', '172.30.2.0/24'],
    ]);
    const card = (n: string) => nodes.find((x) => x.id === n)!;
    const inside = (r: (typeof racks)[number], n: string) => {
      const c = card(n);
      const { width, height } = cardSize(c.data);
      return (
        c.position.x >= r.position.x &&
        c.position.x + width <= r.position.x + r.width &&
        c.position.y >= r.position.y &&
        c.position.y + height <= r.position.y + r.height
      );
    };
    const [a, b] = racks as [(typeof racks)[number], (typeof racks)[number]];
    expect(['node-a1', 'node-a2'].map((n) => inside(a, n))).toEqual([true, true]);
    expect(inside(a, 'node-b1')).toBe(false);
    expect(inside(b, 'node-b1')).toBe(true);
    expect(['node-a1', 'node-a2'].map((n) => inside(b, n))).toEqual([false, false]);
    expect(a.zIndex).toBeLessThan(0);
    expect(edges.find((e) => e.id === `${lab.router.name}--node-a2`)?.label).toBe('rack rack-a');
    expect(edges.find((e) => e.id === `${lab.router.name}--node-b1`)?.label).toBe('rack rack-b');
  });

  it('one fabric: no rack boxes', () => {
    const one = RACKS.replace(/ {2}fabric:\n(?: {4}.*\n)+/, '').replace(/, rack: rack-\w/g, '');
    expect(buildTopology(status(one)).racks).toEqual([]);
  });
});

describe('topology WireGuard', () => {
  it('labels the device on every node card', () => {
    const { nodes } = buildTopology(status(RACKS + felix('{wireguardEnabled: true}')));
    const cards = nodes.filter((n) => n.data.role === 'node');
    expect(cards.map((c) => c.data.wireguard)).toEqual(Array(3).fill('wireguard.cali MTU 1440'));
    const pod = nodes.find((n) => n.id === 'pod-a1')!;
    expect(pod.data.wireguard).toBeUndefined();
  });
});
