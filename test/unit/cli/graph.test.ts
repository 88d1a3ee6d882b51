// @vitest-environment jsdom
// `graph`: the SVG is well-formed XML (parsed strictly by jsdom's XML parser) with a box for
// every container of the plan and a line for every link; the containerlab-style YAML lists the
// same nodes and links; PNG needs a converter and says so when none is installed.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { planSources } from '../../../src/service/offline.js';
import { readFileSync } from 'node:fs';
import { runCli } from './run-cli.js';

const LAB = 'lab-templates/outgoing-nat.yaml';
const plan = planSources([{ file: LAB, text: readFileSync(LAB, 'utf8') }]);

describe('graph', () => {
  it('SVG: well-formed, every container and link of the plan', async () => {
    const r = await runCli(['graph', LAB]);
    expect(r.code, r.err).toBe(0);
    const doc = new DOMParser().parseFromString(r.out, 'image/svg+xml');
    expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
    expect(doc.documentElement.tagName).toBe('svg');
    const boxes = Array.from(doc.querySelectorAll('g.container')).map((g) =>
      g.getAttribute('data-name'),
    );
    expect(boxes.sort()).toEqual(plan.containers.map((c) => c.name).sort());
    const lines = Array.from(doc.querySelectorAll('g.links line')).map(
      (l) => `${l.getAttribute('data-a')} ${l.getAttribute('data-b')}`,
    );
    expect(lines.sort()).toEqual(
      plan.links.map((l) => `${l.a.container}:${l.a.ifname} ${l.b.container}:${l.b.ifname}`).sort(),
    );
    const bad = await runCli(['graph', '-o', 'svgz', LAB]);
    expect(bad.code).toBe(2);
  });

  it('SVG: racks as labelled boxes around their nodes, tunnels only across racks', async () => {
    const file = 'lab-templates/vxlan-cross-subnet.yaml';
    const r = await runCli(['graph', file]);
    expect(r.code, r.err).toBe(0);
    const doc = new DOMParser().parseFromString(r.out, 'image/svg+xml');
    expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
    const rect = (el: Element) =>
      ['x', 'y', 'width', 'height'].map((k) => Number(el.getAttribute(k))) as [
        number,
        number,
        number,
        number,
      ];
    const box = (name: string) => rect(doc.querySelector(`g.container[data-name="${name}"] rect`)!);
    const inside = (rack: string, node: string) => {
      const [rx, ry, rw, rh] = rect(doc.querySelector(`g.racks rect[data-rack="${rack}"]`)!);
      const [x, y, w, h] = box(node);
      return x >= rx && x + w <= rx + rw && y >= ry && y + h <= ry + rh;
    };
    expect(
      Array.from(doc.querySelectorAll('g.racks .rack-label')).map((t) => t.textContent),
    ).toEqual(['rack rack-a · 172.30.1.0/24', 'rack rack-b · 172.30.2.0/24']);
    expect([
      inside('rack-a', 'node-a1'),
      inside('rack-a', 'node-a2'),
      inside('rack-a', 'node-b1'),
    ]).toEqual([true, true, false]);
    expect([inside('rack-b', 'node-b1'), inside('rack-b', 'node-a1')]).toEqual([true, false]);
    const tunnels = Array.from(doc.querySelectorAll('g.tunnels path.tunnel.vxlan')).map(
      (p) =>
        `${p.getAttribute('data-a')}-${p.getAttribute('data-b')} ${p.getAttribute('stroke-dasharray') ?? p.parentElement?.getAttribute('stroke-dasharray')}`,
    );
    expect(tunnels).toEqual(['node-a1-node-b1 5 4', 'node-a2-node-b1 5 4']);
    const labels = Array.from(doc.querySelectorAll('.tunnel-label')).map((t) => t.textContent);
    expect(labels).toEqual(['VXLAN VNI 4096 :4789', 'VXLAN VNI 4096 :4789']);
  });

  it('SVG: IPIP tunnels and WireGuard devices', async () => {
    const text = readFileSync('lab-templates/vxlan-cross-subnet.yaml', 'utf8')
      .replace(/^ {2}vxlanMode: \w+$/m, '  ipipMode: Always')
      .concat(
        '\n---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {wireguardEnabled: true}\n',
      );
    const { topologySvg } = await import('../../../src/shells/cli/graph/svg.js');
    const svg = topologySvg(planSources([{ file: 'lab.yaml', text }]));
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
    expect(
      Array.from(doc.querySelectorAll('g.tunnels path.tunnel.ipip')).map(
        (p) => `${p.getAttribute('data-a')}-${p.getAttribute('data-b')}`,
      ),
    ).toEqual(['node-a1-node-a2', 'node-a1-node-b1', 'node-a2-node-b1']);
    expect(Array.from(doc.querySelectorAll('.tunnel-label')).map((t) => t.textContent)).toEqual(
      Array(3).fill('IPIP'),
    );
    expect(
      Array.from(doc.querySelectorAll('text.wireguard')).map((t) => t.getAttribute('data-node')),
    ).toEqual(['node-a1', 'node-a2', 'node-b1']);
  });

  it('SVG: one fabric without encapsulation draws no racks or tunnels', async () => {
    const r = await runCli(['graph', LAB]);
    const doc = new DOMParser().parseFromString(r.out, 'image/svg+xml');
    expect(doc.querySelectorAll('g.racks rect')).toHaveLength(0);
    expect(doc.querySelectorAll('g.tunnels path')).toHaveLength(0);
  });

  it('clab: containerlab-style nodes and endpoints', async () => {
    const r = await runCli(['graph', LAB, '-o', 'clab']);
    const topo = parse(r.out) as {
      name: string;
      topology: { nodes: Record<string, { kind: string }>; links: { endpoints: string[] }[] };
    };
    expect(topo.name).toBe(plan.lab.name);
    expect(Object.keys(topo.topology.nodes).sort()).toEqual(
      plan.containers.map((c) => c.name).sort(),
    );
    expect(topo.topology.links).toHaveLength(plan.links.length);
    for (const l of topo.topology.links) expect(l.endpoints[0]).toMatch(/^[\w.-]+:[\w.@-]+$/);
  });

  it('PNG: through rsvg-convert or ImageMagick, or a message saying what to install', async () => {
    const r = await runCli(['graph', LAB, '-o', 'png', '-w', '/dev/null']);
    if (r.code === 0) expect(r.err).toContain('wrote /dev/null');
    else expect(r.err).toContain('PNG needs rsvg-convert (apt-get install librsvg2-bin)');
  });
});
