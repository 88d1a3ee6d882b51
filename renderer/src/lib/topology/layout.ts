// Places the lab's containers in layers (hosts, router, nodes, pods) and computes the
// path traffic takes, so the topology can highlight it and mark where SNAT happens.
import type { Explanation, LabStatus } from '../api/types.js';

export type Role = 'router' | 'node' | 'pod' | 'host';

export interface TopoNodeData extends Record<string, unknown> {
  name: string;
  role: Role;
  addresses: string[];
  state: string;
  bgp: { peer: string; state: string }[];
  onPath: boolean;
  snat?: { from: string; to: string }; // set on the node that translates
}

export interface TopoNode {
  id: string;
  type: 'lab';
  position: { x: number; y: number };
  data: TopoNodeData;
}

export interface TopoEdge {
  id: string;
  source: string;
  target: string;
  label?: string;
  animated?: boolean;
  class?: string;
}

const COL = 380;
const ROW = { host: 0, router: 190, node: 400, pod: 620 };

function centered(count: number, index: number, width: number): number {
  return (index - (count - 1) / 2) * COL + width / 2;
}

/** The containers a packet crosses from `from` to `to`, in order. */
export function trafficPath(lab: LabStatus, from: string, to: string): string[] {
  const pod = lab.pods.find((p) => p.name === from);
  if (!pod) return [];
  const dstPod = lab.pods.find((p) => p.name === to || p.address === to);
  if (dstPod) {
    return dstPod.node === pod.node
      ? [pod.name, pod.node, dstPod.name]
      : [pod.name, pod.node, lab.router.name, dstPod.node, dstPod.name];
  }
  const host = lab.hosts.find((h) => h.name === to || h.address.split('/')[0] === to);
  return [pod.name, pod.node, lab.router.name, ...(host ? [host.name] : [])];
}

export function buildTopology(
  lab: LabStatus,
  traffic?: { from: string; to: string; explanation?: Explanation | null },
): { nodes: TopoNode[]; edges: TopoEdge[] } {
  const containers = new Map(lab.containers.map((c) => [c.name, c]));
  const path = traffic ? trafficPath(lab, traffic.from, traffic.to) : [];
  const onPath = new Set(path);
  const pathEdges = new Set(path.slice(1).map((b, i) => [path[i], b].sort().join('|')));
  const width = Math.max(lab.nodes.length, lab.pods.length, lab.hosts.length, 1) * COL;
  const nat = traffic?.explanation?.nat;
  const nameAt = new Map<string, string>([
    [lab.router.address, lab.router.name],
    ...lab.nodes.map((n) => [n.address, n.name] as [string, string]),
  ]);

  const node = (name: string, role: Role, address: string, x: number, y: number): TopoNode => {
    const c = containers.get(name);
    // Loopback says nothing about the lab's wiring.
    const wired = (c?.addresses ?? []).filter(
      (a) => a.ifname !== 'lo' && !a.address.startsWith('127.'),
    );
    const addresses = wired.length ? wired.map((a) => `${a.ifname} ${a.address}`) : [address];
    return {
      id: name,
      type: 'lab',
      position: { x, y },
      data: {
        name,
        role,
        addresses,
        state: c?.state ?? (lab.running ? 'running' : 'missing'),
        // BIRD names sessions after protocols; name the peer after the container at that address.
        bgp: (c?.bgp ?? []).map((b) => ({
          peer: nameAt.get(b.neighbor) ?? b.peer,
          state: b.state,
        })),
        onPath: onPath.has(name),
        ...(role === 'node' &&
        nat &&
        nat.action !== 'none' &&
        traffic?.explanation?.node === name &&
        onPath.has(name)
          ? { snat: { from: traffic.explanation.podAddress, to: nat.toSource } }
          : {}),
      },
    };
  };

  const nodes: TopoNode[] = [
    ...lab.hosts.map((h, i) =>
      node(h.name, 'host', h.address, centered(lab.hosts.length, i, width), ROW.host),
    ),
    node(lab.router.name, 'router', lab.router.address, centered(1, 0, width), ROW.router),
    ...lab.nodes.map((n, i) =>
      node(n.name, 'node', n.address, centered(lab.nodes.length, i, width), ROW.node),
    ),
  ];
  // Pods sit under their node, spread around it.
  for (const n of lab.nodes) {
    const mine = lab.pods.filter((p) => p.node === n.name);
    const nx = nodes.find((x) => x.id === n.name)!.position.x;
    mine.forEach((p, i) =>
      nodes.push(node(p.name, 'pod', p.address, nx + (i - (mine.length - 1) / 2) * 260, ROW.pod)),
    );
  }

  const bgpState = (nodeName: string): string | undefined => {
    const fromNode = containers
      .get(nodeName)
      ?.bgp?.find((b) => b.peer === lab.router.name || b.neighbor === lab.router.address);
    const nodeAddr = lab.nodes.find((n) => n.name === nodeName)?.address;
    const fromRouter = containers
      .get(lab.router.name)
      ?.bgp?.find((b) => b.peer === nodeName || b.neighbor === nodeAddr);
    return (fromNode ?? fromRouter)?.state;
  };

  const edge = (a: string, b: string, label?: string): TopoEdge => {
    const hot = pathEdges.has([a, b].sort().join('|'));
    return {
      id: `${a}--${b}`,
      source: a,
      target: b,
      ...(label ? { label } : {}),
      animated: hot,
      class: hot ? 'on-path' : undefined,
    };
  };
  const edges: TopoEdge[] = [
    ...lab.hosts.map((h) => edge(h.name, lab.router.name)),
    ...lab.nodes.map((n) => {
      const s = bgpState(n.name);
      return edge(lab.router.name, n.name, s ? `BGP ${s}` : undefined);
    }),
    ...lab.pods.map((p) => edge(p.node, p.name)),
  ];
  return { nodes, edges };
}
