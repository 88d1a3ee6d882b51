// The lab's topology as an SVG drawn from its plan: one box per container (outside hosts on
// top, the router, the nodes, each node's pods under it), one line per veth link with the
// interface names at its ends. Plain SVG 1.1 text: no browser or library needed to make it.
import type { LabPlan, Role } from '../../../core/plan/types.js';
import { rackSvg, tunnelSvg, tunnelsOf } from './svg-tunnels.js';

const ROWS: readonly Role[] = ['host', 'router', 'tor', 'node', 'pod'];
const BOX_W = 150;
const BOX_H = 44;
const GAP_X = 30;
const ROW_H = 130;
const MARGIN = 40;
const FILL: Record<Role, string> = {
  host: '#f6e3b4',
  router: '#c8d8f0',
  tor: '#d8d0f0',
  node: '#cfe8cf',
  pod: '#ececec',
};

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface Placed {
  name: string;
  role: Role;
  x: number;
  y: number;
  label: string;
}

/** Where each container goes: a row per role, pods in the order of their nodes. */
export function layout(plan: LabPlan): { placed: Placed[]; width: number; height: number } {
  // With racks, nodes go rack by rack so each rack's box holds its nodes alone.
  const { rackOrder } = tunnelsOf(plan);
  const nodeOrder = plan.containers
    .filter((c) => c.role === 'node')
    .map((c) => c.name)
    .sort((a, b) => rackOrder(a) - rackOrder(b));
  const rows = ROWS.map((role) =>
    plan.containers
      .filter((c) => c.role === role)
      .sort((a, b) =>
        role === 'pod'
          ? nodeOrder.indexOf(a.node ?? '') - nodeOrder.indexOf(b.node ?? '')
          : role === 'node'
            ? nodeOrder.indexOf(a.name) - nodeOrder.indexOf(b.name)
            : 0,
      ),
  );
  const widest = Math.max(1, ...rows.map((r) => r.length));
  const width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X;
  const placed: Placed[] = [];
  rows.forEach((row, i) => {
    const rowW = row.length * BOX_W + Math.max(0, row.length - 1) * GAP_X;
    const x0 = (width - rowW) / 2;
    row.forEach((c, j) => {
      const address = c.interfaces.find((f) => f.addresses.length)?.addresses[0] ?? '';
      placed.push({
        name: c.name,
        role: c.role,
        x: x0 + j * (BOX_W + GAP_X),
        y: MARGIN + 20 + i * ROW_H,
        label: address,
      });
    });
  });
  return { placed, width, height: MARGIN * 2 + 20 + ROWS.length * ROW_H - (ROW_H - BOX_H) };
}

export function topologySvg(plan: LabPlan): string {
  const { placed, width, height } = layout(plan);
  const at = new Map(placed.map((p) => [p.name, p]));
  const tunnels = tunnelsOf(plan);
  const nodeBoxes = placed.filter((p) => p.role === 'node');
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<title>${esc(plan.lab.name)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="${MARGIN - 10}" font-size="16" font-weight="bold">${esc(plan.lab.name)}</text>`,
    ...rackSvg(tunnels, nodeBoxes, BOX_W, BOX_H),
    `<g class="links" stroke="#666" stroke-width="1.5">`,
  ];
  const center = (p: Placed): [number, number] => [p.x + BOX_W / 2, p.y + BOX_H / 2];
  const labels: string[] = [];
  for (const link of plan.links) {
    const a = at.get(link.a.container);
    const b = at.get(link.b.container);
    if (!a || !b) continue;
    const [ax, ay] = center(a);
    const [bx, by] = center(b);
    out.push(
      `<line x1="${ax}" y1="${ay}" x2="${bx}" y2="${by}" data-a="${esc(`${link.a.container}:${link.a.ifname}`)}" data-b="${esc(`${link.b.container}:${link.b.ifname}`)}"/>`,
    );
    // Each interface name a little way along the line from its own box.
    const near = (x: number, y: number, ox: number, oy: number): [number, number] => [
      x + (ox - x) * 0.28,
      y + (oy - y) * 0.28,
    ];
    const [lax, lay] = near(ax, ay, bx, by);
    const [lbx, lby] = near(bx, by, ax, ay);
    labels.push(
      `<text x="${lax.toFixed(1)}" y="${lay.toFixed(1)}" font-size="9" fill="#333">${esc(link.a.ifname)}</text>`,
      `<text x="${lbx.toFixed(1)}" y="${lby.toFixed(1)}" font-size="9" fill="#333">${esc(link.b.ifname)}</text>`,
    );
  }
  out.push('</g>', '<g class="containers">');
  for (const p of placed) {
    out.push(
      `<g class="container ${p.role}" data-name="${esc(p.name)}">`,
      `<rect x="${p.x}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${FILL[p.role]}" stroke="#444"/>`,
      `<text x="${p.x + BOX_W / 2}" y="${p.y + 18}" font-size="13" text-anchor="middle">${esc(p.name)}</text>`,
      `<text x="${p.x + BOX_W / 2}" y="${p.y + 34}" font-size="10" text-anchor="middle" fill="#333">${esc(p.label)}</text>`,
      '</g>',
    );
  }
  out.push('</g>', '<g class="ifnames">', ...labels, '</g>');
  out.push(...tunnelSvg(tunnels, nodeBoxes, BOX_W, BOX_H), '</svg>', '');
  return out.join('\n');
}
