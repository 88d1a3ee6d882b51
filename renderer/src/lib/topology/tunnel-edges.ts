// Racks and tunnels in the topology, from the service's plan data (LabStatus.tunnels):
// - each pair of nodes that encapsulate between each other gets a dashed edge from card top
//   to card top, a step path above the node row (TunnelEdge.svelte), labelled "VXLAN VNI 4096 :4789" or "IPIP";
//   each pair takes its own height so the paths and labels stay apart;
// - each rack is a labelled box behind its nodes' cards (nodes are laid out rack by rack).
import type { RackView, TunnelView } from '../api/types.js';

export interface TunnelEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  class: string;
  type: 'tunnel';
  sourceHandle: string;
  targetHandle: string;
  data: { rise: number };
}

/** Handle ids TopoNode.svelte gives node cards for tunnels. */
export const TUNNEL_SOURCE = 'tunnel-src';
export const TUNNEL_TARGET = 'tunnel-dst';

// How far above the cards each tunnel runs (TunnelEdge.svelte): a label's height apart, within
// the gap between the router and the nodes.
const FIRST_RISE = 16;
const RISE_STEP = 20;
const LEVELS = 4;

/** Extra room above the node row for `count` tunnels, below the router edges' labels. */
export function tunnelRoom(count: number): number {
  return count ? Math.min(count, LEVELS) * RISE_STEP + FIRST_RISE : 0;
}

export function tunnelEdges(tunnels: TunnelView[]): TunnelEdge[] {
  return tunnels.map((t, i) => ({
    id: `tunnel:${t.a}--${t.b}:${t.kind}`,
    source: t.a,
    target: t.b,
    label: t.label,
    class: `tunnel ${t.kind}`,
    type: 'tunnel',
    sourceHandle: TUNNEL_SOURCE,
    targetHandle: TUNNEL_TARGET,
    data: { rise: FIRST_RISE + (i % LEVELS) * RISE_STEP },
  }));
}

export interface RackBoxData extends Record<string, unknown> {
  name: string;
  cidr: string;
}

export interface RackBox {
  id: string;
  type: 'rack';
  position: { x: number; y: number };
  width: number;
  height: number;
  data: RackBoxData;
  draggable: false;
  selectable: false;
  zIndex: number;
}

const INSET = 8; // between neighbouring racks' boxes
const PAD_TOP = 10;
const LABEL_ROOM = 30; // under the cards, for the rack's name and subnet

/**
 * Boxes for the racks of one band of node groups (each group: a node card over `cols` pod
 * columns, `pitch` wide, starting at x0): one box per run of neighbouring nodes of one rack.
 */
export function boxesForBand(
  band: { card: { id: string }; cols: number }[],
  racks: RackView[],
  x0: number,
  y: number,
  rowHeight: number,
  pitch: number,
): RackBox[] {
  const boxes: RackBox[] = [];
  let x = x0;
  let run: { rack: RackView; x: number; w: number } | undefined;
  const close = () => {
    if (!run) return;
    boxes.push({
      id: `rack:${run.rack.name}@${Math.round(y)}`,
      type: 'rack',
      position: { x: run.x + INSET, y: y - PAD_TOP },
      width: run.w - 2 * INSET,
      height: rowHeight + PAD_TOP + LABEL_ROOM,
      data: { name: run.rack.name, cidr: run.rack.cidr },
      draggable: false,
      selectable: false,
      zIndex: -1,
    });
    run = undefined;
  };
  for (const g of band) {
    const rack = racks.find((r) => r.nodes.includes(g.card.id));
    if (run && run.rack !== rack) close();
    if (rack) {
      if (run) run.w += g.cols * pitch;
      else run = { rack, x, w: g.cols * pitch };
    }
    x += g.cols * pitch;
  }
  close();
  return boxes;
}
