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
