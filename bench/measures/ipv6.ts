// (2v6) natOutgoing toggle to the wire on an IPv6 pool (NAT66), against the same goal as
// measure 2: the nat66-toggle template, new-flow ICMPv6 pings from web-1 to the internet host's
// IPv6 address, the IPv6 pool flipped; time from the patch call to the first packet on the
// host's wire with the new IPv6 source (node-1's IPv6 address or web-1's). Addresses come from
// the lab's plan.
import { readFile } from 'node:fs/promises';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import type { BenchContext } from '../lib/lab.js';
import type { RunOptions, Section } from '../lib/section.js';
import { summarize } from '../lib/stats.js';
import { measureToggle } from './toggle.js';

const FILE = 'lab-templates/nat66-toggle.yaml';

export async function benchIpv6Toggle(ctx: BenchContext, o: RunOptions): Promise<Section> {
  const source = { file: FILE, text: await readFile(FILE, 'utf8') };
  const lab = loadLab([source]);
  const plan = planLab(lab);
  const ipv6 = {
    pod: plan.ipam.assignments.find((a) => a.pod === 'web-1')!.ipv6!.address,
    node: lab.nodes.find((n) => n.name === 'node-1')!.ipv6Address!,
    internet: lab.hosts.find((h) => h.name === 'internet')!.ipv6!.address,
  };
  const { flips, pps } = await measureToggle(ctx, o.quick ? 6 : 20, {
    lab: 'bench-v6-toggle',
    source,
    pool: 'ula-pool',
    ipv6,
  });
  const wire = summarize(flips.map((f) => f.toWireMs));
  const missed = flips.filter((f) => !Number.isFinite(f.toWireMs)).length;
  return {
    id: 'ipv6-toggle',
    title: '2v6. natOutgoing toggle to wire on an IPv6 pool (NAT66)',
    rows: [
      {
        measure: '2v6 IPv6 toggle: patch call -> new source on the wire',
        unit: 'ms',
        summary: wire,
        goal: 'p95 <= 250 ms',
        pass: missed === 0 && wire.p95 <= 250,
        note: `${Math.round(pps)} pings/s${missed ? `, ${missed} flips never seen` : ''}`,
      },
      {
        measure: '2v6 IPv6 toggle: apply (service appliedMs)',
        unit: 'ms',
        summary: summarize(flips.map((f) => f.appliedMs)),
      },
    ],
    data: { pps, flips },
    notes: ['nat66-toggle template (ula-pool fd00:10::/48); one ping process per packet'],
  };
}
