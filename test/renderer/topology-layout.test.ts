// The topology's hand layout: no two cards overlap, for every template and for crowded labs
// (6 pods on one node, 20 nodes), with every card's lines shown (addresses, BGP sessions,
// the SNAT badge). Card sizes are the layout's own estimates, which TopoNode.svelte honours
// by its fixed width; the e2e screenshots spec checks the rendered cards too.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTopology, cardSize, type TopoNode } from '../../renderer/src/lib/topology/layout.js';
import type { LabStatus } from '../../src/service/api.js';
import type { Explanation } from '../../src/core/explain/types.js';
import { loadLab } from '../../src/core/lab-file/index.js';

type Shape = {
  nodes: { name: string; address: string }[];
  pods: { name: string; node: string }[];
  hosts: { name: string; address: string }[];
  router: { name: string; address: string };
};

// A running lab's status: every container with two long addresses, the router with a BGP
// session per node.
function status(name: string, shape: Shape): LabStatus {
  const pods = shape.pods.map((p, i) => ({
    ...p,
    address: `192.168.${100 + (i % 150)}.${100 + i}`,
    pool: 'default-ipv4-ippool',
  }));
  const names = [shape.router.name, ...shape.nodes.map((n) => n.name), ...pods.map((p) => p.name)];
  return {
    name,
    running: true,
    containers: [...names, ...shape.hosts.map((h) => h.name)].map((c) => ({
      name: c,
      role: 'node',
      state: 'running',
      addresses: [
        { ifname: 'eth0', address: '172.30.100.111/24' },
        { ifname: 'eth1', address: '198.51.100.222/24' },
      ],
      bgp:
        c === shape.router.name
          ? shape.nodes.map((n) => ({ peer: n.name, neighbor: n.address, state: 'Established' }))
          : [],
    })),
    pools: [],
    router: shape.router,
    nodes: shape.nodes,
    pods,
    hosts: shape.hosts,
  } as LabStatus;
}

function rect(n: TopoNode) {
  const { width, height } = cardSize(n.data);
  return { x: n.position.x, y: n.position.y, width, height };
}

function overlaps(nodes: TopoNode[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = rect(nodes[i]!);
      const b = rect(nodes[j]!);
      const apart =
        a.x + a.width <= b.x ||
        b.x + b.width <= a.x ||
        a.y + a.height <= b.y ||
        b.y + b.height <= a.y;
      if (!apart) out.push(`${nodes[i]!.id} / ${nodes[j]!.id}`);
    }
  }
  return out;
}

// Traffic from the first pod to the first host, SNATed on its node: the badge grows that card.
function withTraffic(lab: LabStatus) {
  const pod = lab.pods[0];
  const host = lab.hosts[0];
  if (!pod || !host) return buildTopology(lab);
  const explanation = {
    node: pod.node,
    podAddress: pod.address,
    nat: { action: 'masquerade', toSource: '172.30.100.111' },
  } as unknown as Explanation;
  return buildTopology(lab, { from: pod.name, to: host.name, explanation });
}

const templates = readdirSync('lab-templates').filter((f) => f.endsWith('.yaml'));

describe('topology layout', () => {
  for (const f of templates) {
    it(`${f}: no two cards overlap`, () => {
      const lab = loadLab([{ file: f, text: readFileSync(`lab-templates/${f}`, 'utf8') }]);
      const g = withTraffic(status(lab.name, lab));
      expect(g.nodes.length).toBe(1 + lab.nodes.length + lab.pods.length + lab.hosts.length);
      expect(overlaps(g.nodes)).toEqual([]);
    });
  }

  it('6 pods on one node among 20 nodes, 3 hosts: no overlap, pods below their node', () => {
    const nodes = Array.from({ length: 20 }, (_, i) => ({
      name: `node-${i + 1}`,
      address: `172.30.0.${11 + i}`,
    }));
    const pods = [
      ...Array.from({ length: 6 }, (_, i) => ({ name: `busy-${i + 1}`, node: 'node-3' })),
      ...nodes.map((n) => ({ name: `web-${n.name}`, node: n.name })),
    ];
    const hosts = ['internet', 'dns', 'partner'].map((name, i) => ({
      name,
      address: `203.0.113.${10 + i}/24`,
    }));
    const g = withTraffic(
      status('crowded', { nodes, pods, hosts, router: { name: 'tor', address: '172.30.0.1' } }),
    );
    expect(g.nodes.length).toBe(1 + 20 + 26 + 3);
    expect(overlaps(g.nodes)).toEqual([]);
    const at = (id: string) => g.nodes.find((n) => n.id === id)!;
    for (const p of pods) {
      const node = rect(at(p.node));
      const pod = rect(at(p.name));
      expect(pod.y, p.name).toBeGreaterThanOrEqual(node.y + node.height);
    }
    // The router, with its 20 BGP sessions, sits above every node.
    const router = rect(at('tor'));
    for (const n of nodes) expect(rect(at(n.name)).y).toBeGreaterThan(router.y + router.height);
  });

  it('a card grows with its lines', () => {
    const base = {
      name: 'n',
      role: 'router' as const,
      addresses: ['eth0 172.30.0.1/24'],
      state: 'running',
      bgp: [],
      onPath: false,
    };
    const more = {
      ...base,
      bgp: Array.from({ length: 10 }, (_, i) => ({ peer: `n${i}`, state: 'Established' })),
    };
    expect(cardSize(more).height).toBeGreaterThan(cardSize(base).height + 10 * 15);
  });
});
