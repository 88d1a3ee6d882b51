// Racks and tunnels in `graph`'s SVG, from the plan's data (core/plan/tunnels.ts), drawn as
// the app's topology draws them: a dashed box per rack around its nodes, labelled with its
// name and subnet; a dashed step path per pair of nodes that encapsulate, above the node row,
// labelled "VXLAN VNI 4096 :4789" or "IPIP"; WireGuard's device under each node that has it.
import { labTunnels, type LabTunnels } from '../../../core/plan/tunnels.js';
import type { LabPlan } from '../../../core/plan/types.js';

export interface Box {
  name: string;
  x: number;
  y: number;
}

const TUNNEL_COLOR = { vxlan: '#7a3fb0', ipip: '#b05a00' } as const;
const FIRST_RISE = 20;
const RISE_STEP = 13;
const MAX_LEVELS = 5; // the rises stay within the gap between the router and node rows

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The plan's racks and tunnels; nodes sorted rack by rack (single fabric: as they are). */
export function tunnelsOf(plan: LabPlan): LabTunnels & { rackOrder: (node: string) => number } {
  const t = labTunnels(plan);
  const racks = t.racks.length > 1 ? t.racks : [];
  return {
    ...t,
    racks,
    rackOrder: (node) => racks.findIndex((r) => r.nodes.includes(node)),
  };
}

/** SVG for the rack boxes: drawn before the links so they sit behind everything. */
export function rackSvg(t: LabTunnels, nodes: Box[], boxW: number, boxH: number): string[] {
  const out: string[] = ['<g class="racks" fill="none" stroke="#888" stroke-dasharray="6 4">'];
  for (const r of t.racks) {
    const own = nodes.filter((n) => r.nodes.includes(n.name));
    if (!own.length) continue;
    const x = Math.min(...own.map((n) => n.x)) - 10;
    const w = Math.max(...own.map((n) => n.x)) + boxW + 10 - x;
    const y = own[0]!.y - 10;
    const h = boxH + 44;
    out.push(
      `<rect class="rack" data-rack="${esc(r.name)}" x="${x}" y="${y}" width="${w}" height="${h}" rx="10"/>`,
      `<text class="rack-label" x="${x + 8}" y="${y + h - 6}" font-size="10" fill="#555" stroke="none">rack ${esc(r.name)} · ${esc(r.cidr)}</text>`,
    );
  }
  out.push('</g>');
  return out;
}

/** SVG for the tunnels (dashed, from box top to box top) and WireGuard labels. */
export function tunnelSvg(t: LabTunnels, nodes: Box[], boxW: number, boxH: number): string[] {
  const at = new Map(nodes.map((n) => [n.name, n]));
  const out: string[] = [
    '<g class="tunnels" fill="none" stroke-width="1.5" stroke-dasharray="5 4">',
  ];
  const labels: string[] = [];
  t.tunnels.forEach((tu, i) => {
    const a = at.get(tu.a);
    const b = at.get(tu.b);
    if (!a || !b) return;
    const ax = a.x + boxW / 2;
    const bx = b.x + boxW / 2;
    const top = Math.min(a.y, b.y) - FIRST_RISE - (i % MAX_LEVELS) * RISE_STEP;
    const color = TUNNEL_COLOR[tu.kind];
    out.push(
      `<path class="tunnel ${tu.kind}" data-a="${esc(tu.a)}" data-b="${esc(tu.b)}" stroke="${color}" d="M ${ax} ${a.y} V ${top} H ${bx} V ${b.y}"/>`,
    );
    labels.push(
      `<text class="tunnel-label" data-a="${esc(tu.a)}" data-b="${esc(tu.b)}" x="${(ax + bx) / 2}" y="${top - 2}" font-size="9" text-anchor="middle" fill="${color}" stroke="#fff" stroke-width="3" paint-order="stroke">${esc(tu.label)}</text>`,
    );
  });
  out.push('</g>', '<g class="tunnel-labels">', ...labels);
  for (const w of t.wireguard) {
    const n = at.get(w.node);
    if (!n) continue;
    out.push(
      `<text class="wireguard" data-node="${esc(w.node)}" x="${n.x + boxW / 2}" y="${n.y + boxH + 12}" font-size="9" text-anchor="middle" fill="#2a6f97">WireGuard ${esc(w.device)} MTU ${w.mtu}</text>`,
    );
  }
  out.push('</g>');
  return out;
}
