// Places the lab's containers in layers (hosts, router, nodes, pods) and computes the
// path traffic takes, so the topology can highlight it and mark where SNAT happens.
import type { Explanation, LabStatus } from '../api/types.js';
import { boxesForBand, tunnelEdges, tunnelRoom, type RackBox } from './tunnel-edges.js';
import { torCards, torOf } from './tor-cards.js';

export type Role = 'router' | 'node' | 'pod' | 'host' | 'tor';

export interface TopoNodeData extends Record<string, unknown> {
  name: string;
  role: Role;
  addresses: string[];
  state: string;
  bgp: { peer: string; state: string }[];
  onPath: boolean;
  snat?: { from: string; to: string }; // set on the node that translates
  wireguard?: string; // nodes with WireGuard on: "wireguard.cali MTU 1440"
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
  // Tunnel edges: node top to node top, a step path above the node row (tunnel-edges.ts).
  type?: 'tunnel';
  sourceHandle?: string;
  targetHandle?: string;
  data?: { rise: number };
}

// Cards have a fixed width (TopoNode.svelte applies CARD_WIDTH) and a height estimated from
// their lines, so the layout can keep every card clear of every other one.
export const CARD_WIDTH = 272;
const GAP_X = 40;
const PITCH = CARD_WIDTH + GAP_X;
const GAP_Y = 110; // between layers: room for the edges and their labels
const POD_GAP_Y = 30; // between rows of pods under one node
const PODS_PER_ROW = 3;
const NODE_GROUPS_PER_BAND = 8; // beyond this many pitches, nodes wrap into another band

// Sizes in CSS pixels at the app's 16px root font (see TopoNode.svelte).
const PAD_Y = 0.45 * 16 * 2 + 4; // padding and border
const INNER_WIDTH = CARD_WIDTH - 0.75 * 16 * 2 - 4;
const TITLE_LINE = 24;
const ADDR_LINE = 18;
const ADDR_CHAR = 8.2; // DejaVu Sans Mono at 0.85rem
const BGP_LINE = 17;
const SNAT_LINE = 19;

function lines(text: string, charWidth: number): number {
  return Math.max(1, Math.ceil((text.length * charWidth) / INNER_WIDTH));
}

/** A card's size on screen, generously estimated (cards wrap long lines, never widen). */
export function cardSize(data: TopoNodeData): { width: number; height: number } {
  let h = PAD_Y + TITLE_LINE;
  for (const a of data.addresses) h += lines(a, ADDR_CHAR) * ADDR_LINE;
  if (data.state !== 'running') h += ADDR_LINE;
  if (data.role === 'router' || data.role === 'tor') {
    for (const b of data.bgp) h += lines(`${b.peer}: ${b.state}`, 7.5) * BGP_LINE;
  }
  if (data.snat) h += 10 + lines(`SNAT ${data.snat.from} → ${data.snat.to}`, 9) * SNAT_LINE;
  if (data.wireguard) h += lines(`WireGuard ${data.wireguard}`, ADDR_CHAR) * ADDR_LINE;
  return { width: CARD_WIDTH, height: Math.ceil(h) };
}

function centered(count: number, index: number, width: number): number {
  return (index - (count - 1) / 2) * PITCH + width / 2;
}

/** The containers a packet crosses from `from` to `to`, in order. */
export function trafficPath(lab: LabStatus, from: string, to: string): string[] {
  const pod = lab.pods.find((p) => p.name === from);
  if (!pod) return [];
  const dstPod = lab.pods.find((p) => p.name === to || p.address === to);
  // Racks with a ToR of their own: the node's ToR stands between it and the spine.
  const tors = torCards(lab);
  const torFor = (n: string) => {
    const t = torOf(tors, lab.nodes.find((x) => x.name === n)?.address ?? '');
    return t ? [t] : [];
  };
  if (dstPod) {
    if (dstPod.node === pod.node) return [pod.name, pod.node, dstPod.name];
    const [a, b] = [torFor(pod.node), torFor(dstPod.node)];
    const middle = a.length && a[0] === b[0] ? a : [...a, lab.router.name, ...b];
    return [pod.name, pod.node, ...middle, dstPod.node, dstPod.name];
  }
  const host = lab.hosts.find((h) => h.name === to || h.address.split('/')[0] === to);
  return [pod.name, pod.node, ...torFor(pod.node), lab.router.name, ...(host ? [host.name] : [])];
}

export function buildTopology(
  lab: LabStatus,
  traffic?: { from: string; to: string; explanation?: Explanation | null },
): { nodes: TopoNode[]; edges: TopoEdge[]; racks: RackBox[] } {
  const containers = new Map(lab.containers.map((c) => [c.name, c]));
  const path = traffic ? trafficPath(lab, traffic.from, traffic.to) : [];
  const onPath = new Set(path);
  const pathEdges = new Set(path.slice(1).map((b, i) => [path[i], b].sort().join('|')));
  const nat = traffic?.explanation?.nat;
  const tors = torCards(lab);
  const nameAt = new Map<string, string>([
    [lab.router.address, lab.router.name],
    ...lab.nodes.map((n) => [n.address, n.name] as [string, string]),
    ...tors.flatMap((t) => t.addresses.map((a) => [a, t.name] as [string, string])),
  ]);
  // The spine's addresses on its ToR links (a BGP peer of each ToR).
  for (const a of containers.get(lab.router.name)?.addresses ?? [])
    if (!nameAt.has(a.address.split('/')[0]!))
      nameAt.set(a.address.split('/')[0]!, lab.router.name);

  const wireguard = new Map(
    (lab.tunnels?.wireguard ?? []).map((w) => [w.node, `${w.device} MTU ${w.mtu}`]),
  );
  const racks = lab.tunnels && lab.tunnels.racks.length > 1 ? lab.tunnels.racks : [];
  const rackIndex = (n: string) => racks.findIndex((r) => r.nodes.includes(n));
  const node = (name: string, role: Role, address: string): TopoNode => {
    const c = containers.get(name);
    // Loopback says nothing about the lab's wiring.
    const wired = (c?.addresses ?? []).filter(
      (a) => a.ifname !== 'lo' && !a.address.startsWith('127.'),
    );
    const addresses = wired.length ? wired.map((a) => `${a.ifname} ${a.address}`) : [address];
    return {
      id: name,
      type: 'lab',
      position: { x: 0, y: 0 },
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
        ...(wireguard.has(name) ? { wireguard: wireguard.get(name) } : {}),
      },
    };
  };

  const nodes: TopoNode[] = [];
  const place = (n: TopoNode, x: number, y: number) => {
    // xyflow positions a card by its top-left corner; x here is the card's centre.
    n.position = { x: x - CARD_WIDTH / 2, y };
    nodes.push(n);
  };
  const tallest = (ns: TopoNode[]) => Math.max(0, ...ns.map((n) => cardSize(n.data).height));

  // Each node heads a group of columns holding its pods, PODS_PER_ROW to a row; groups sit side
  // by side in bands of at most NODE_GROUPS_PER_BAND columns.
  // With racks, a rack's nodes sit side by side so its box (rackBoxes) holds them alone.
  const nodesInOrder = racks.length
    ? [...lab.nodes].sort((a, b) => rackIndex(a.name) - rackIndex(b.name))
    : lab.nodes;
  const groups = nodesInOrder.map((n) => {
    const pods = lab.pods.filter((p) => p.node === n.name);
    const cols = Math.max(1, Math.min(PODS_PER_ROW, pods.length));
    return {
      card: node(n.name, 'node', n.address),
      pods: pods.map((p) => node(p.name, 'pod', p.address)),
      cols,
    };
  });
  const bands: (typeof groups)[] = [];
  for (const g of groups) {
    const band = bands[bands.length - 1];
    const used = band?.reduce((sum, b) => sum + b.cols, 0) ?? Infinity;
    if (band && used + g.cols <= NODE_GROUPS_PER_BAND) band.push(g);
    else bands.push([g]);
  }
  const bandWidth = (band: typeof groups) => band.reduce((sum, g) => sum + g.cols, 0) * PITCH;
  const width = Math.max(PITCH, lab.hosts.length * PITCH, ...bands.map(bandWidth));

  const hostCards = lab.hosts.map((h) => node(h.name, 'host', h.address));
  hostCards.forEach((c, i) => place(c, centered(hostCards.length, i, width), 0));
  const routerY = hostCards.length ? tallest(hostCards) + GAP_Y : 0;
  const router = node(lab.router.name, 'router', lab.router.address);
  place(router, width / 2, routerY);
  // Top-of-rack routers (tor-cards.ts) in a row under the spine.
  const torRow = tors.map((t) => node(t.name, 'tor', t.address));
  const torY = routerY + tallest([router]) + GAP_Y;
  torRow.forEach((c, i) => place(c, centered(torRow.length, i, width), torY));
  const aboveNodes = torRow.length ? torY + tallest(torRow) : routerY + tallest([router]);

  let y = aboveNodes + GAP_Y + tunnelRoom(lab.tunnels?.tunnels.length ?? 0);
  const rackBoxes: RackBox[] = [];
  for (const band of bands) {
    rackBoxes.push(
      ...boxesForBand(
        band,
        racks,
        (width - bandWidth(band)) / 2,
        y,
        tallest(band.map((g) => g.card)),
        PITCH,
      ),
    );
    let x = (width - bandWidth(band)) / 2;
    const nodeRowHeight = tallest(band.map((g) => g.card));
    let bottom = y + nodeRowHeight;
    for (const g of band) {
      const groupWidth = g.cols * PITCH;
      place(g.card, x + groupWidth / 2, y);
      let rowY = y + nodeRowHeight + GAP_Y;
      for (let r = 0; r * g.cols < g.pods.length; r++) {
        const row = g.pods.slice(r * g.cols, (r + 1) * g.cols);
        row.forEach((p, i) => place(p, x + (i + 0.5) * PITCH, rowY));
        rowY += tallest(row) + POD_GAP_Y;
        bottom = Math.max(bottom, rowY - POD_GAP_Y);
      }
      x += groupWidth;
    }
    y = bottom + GAP_Y;
  }

  const upstream = (nodeName: string): string =>
    torOf(tors, lab.nodes.find((n) => n.name === nodeName)?.address ?? '') ?? lab.router.name;
  const bgpState = (nodeName: string): string | undefined => {
    const up = upstream(nodeName);
    const fromNode = containers
      .get(nodeName)
      ?.bgp?.find((b) => b.peer === up || nameAt.get(b.neighbor) === up);
    const nodeAddr = lab.nodes.find((n) => n.name === nodeName)?.address;
    const fromRouter = containers
      .get(up)
      ?.bgp?.find((b) => b.peer === nodeName || b.neighbor === nodeAddr?.split('/')[0]);
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
  // A traffic path through a tunnel: its fabric edges say how (explain's encapsulation).
  const enc = traffic?.explanation?.encapsulation;
  const tunnel =
    enc && enc.kind !== 'none'
      ? enc.kind === 'vxlan'
        ? `VXLAN UDP ${enc.port} VNI ${enc.vni}`
        : 'IPIP'
      : undefined;
  const edges: TopoEdge[] = [
    ...lab.hosts.map((h) => edge(h.name, lab.router.name)),
    ...tors.map((t) => {
      const s = containers
        .get(t.name)
        ?.bgp?.find((b) => nameAt.get(b.neighbor) === lab.router.name);
      return edge(lab.router.name, t.name, s ? `eBGP ${s.state}` : undefined);
    }),
    ...lab.nodes.map((n) => {
      const s = bgpState(n.name);
      const rackName = racks[rackIndex(n.name)]?.name;
      const labels = [
        rackName ? `rack ${rackName}` : rackOf(containers.get(lab.router.name), n.address),
        s ? `BGP ${s}` : undefined,
        tunnel && pathEdges.has([upstream(n.name), n.name].sort().join('|')) ? tunnel : undefined,
      ].filter((x) => x !== undefined);
      return edge(upstream(n.name), n.name, labels.length ? labels.join(' · ') : undefined);
    }),
    ...lab.pods.map((p) => edge(p.node, p.name)),
    ...tunnelEdges(lab.tunnels?.tunnels ?? []),
  ];
  return { nodes, edges, racks: rackBoxes };
}

/**
 * The router's bridge whose subnet holds a node's address, when the router has several
 * (fabric.racks: one bridge per rack); undefined on a single fabric.
 */
function rackOf(
  router: { addresses: { ifname: string; address: string }[] } | undefined,
  nodeAddress: string,
): string | undefined {
  const bridges = (router?.addresses ?? []).filter((a) => /^br\d+$/.test(a.ifname));
  if (bridges.length < 2) return undefined;
  const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0) >>> 0;
  const node = toInt(nodeAddress.split('/')[0]!);
  for (const b of bridges) {
    const [ip = '', len = '32'] = b.address.split('/');
    const bits = Number(len);
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if ((toInt(ip) & mask) >>> 0 === (node & mask) >>> 0) return `rack ${b.ifname}`;
  }
  return undefined;
}
