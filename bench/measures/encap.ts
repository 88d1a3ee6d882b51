// Encapsulation (issue 13): (1v) up of the outgoing-nat template with its pool on
// `vxlanMode: Always` against the same lab without encapsulation, alternating in the same run
// (goal: ready <= 1.2x the plain lab's); ready = the up call until ready plus a first ping
// from web-1 to web-2, which crosses the tunnel in the VXLAN lab. (2v) natOutgoing toggle to
// the wire on the VXLAN lab, as measure 2 does it (same goal).
import { nowMs } from '../lib/clock.js';
import {
  address,
  defaultTemplate,
  downQuietly,
  firstPingAnswered,
  type BenchContext,
} from '../lib/lab.js';
import { settle } from '../lib/settle.js';
import type { RunOptions, Section } from '../lib/section.js';
import { summarize } from '../lib/stats.js';
import { measureToggle } from './toggle.js';

async function vxlanTemplate(): Promise<{ file: string; text: string }> {
  const base = await defaultTemplate();
  const text = base.text.replace(/( {2}natOutgoing: true\n)/, '$1  vxlanMode: Always\n');
  if (text === base.text)
    throw new Error('bench: the outgoing-nat template has no natOutgoing line');
  return { file: base.file, text };
}

async function readyMs(
  ctx: BenchContext,
  source: { file: string; text: string },
  lab: string,
): Promise<number> {
  await settle();
  const t0 = nowMs();
  const status = await ctx.service.up([source], { name: lab });
  const up = nowMs() - t0;
  const ping = await firstPingAnswered(ctx, lab, 'web-1', address(status, 'web-2'));
  await ctx.service.down(lab);
  return up + ping;
}

export async function benchVxlanUp(ctx: BenchContext, o: RunOptions): Promise<Section> {
  const runs = o.quick ? 3 : 7;
  const plain = await defaultTemplate();
  const vxlan = await vxlanTemplate();
  const lab = 'bench-vxlan-up';
  const plainMs: number[] = [];
  const vxlanMs: number[] = [];
  await downQuietly(ctx, lab);
  try {
    for (let r = 0; r < runs; r++) {
      plainMs.push(await readyMs(ctx, plain, lab));
      vxlanMs.push(await readyMs(ctx, vxlan, lab));
      ctx.log(
        `  vxlan up #${r + 1}: ${Math.round(vxlanMs[r]!)} ms, plain ${Math.round(plainMs[r]!)} ms`,
      );
    }
  } finally {
    await downQuietly(ctx, lab);
  }
  const p = summarize(plainMs);
  const v = summarize(vxlanMs);
  const ratio = v.median / p.median;
  return {
    id: 'vxlan-up',
    title: '1v. lab up with VXLAN against the same lab without (outgoing-nat template)',
    rows: [
      { measure: '1v up: plain lab, ready (up + web-1 -> web-2 ping)', unit: 'ms', summary: p },
      {
        measure: '1v up: VXLAN lab, ready (up + web-1 -> web-2 ping)',
        unit: 'ms',
        summary: v,
        goal: '<= 1.2x plain',
        pass: ratio <= 1.2,
        note: `ratio of medians ${ratio.toFixed(2)}`,
      },
    ],
    data: { plainMs, vxlanMs },
    notes: ['runs alternate plain and VXLAN in the same process and engine'],
  };
}

export async function benchVxlanToggle(ctx: BenchContext, o: RunOptions): Promise<Section> {
  const { flips, pps } = await measureToggle(ctx, o.quick ? 6 : 20, {
    lab: 'bench-vxlan-toggle',
    source: await vxlanTemplate(),
  });
  const wire = summarize(flips.map((f) => f.toWireMs));
  const missed = flips.filter((f) => !Number.isFinite(f.toWireMs)).length;
  return {
    id: 'vxlan-toggle',
    title: '2v. natOutgoing toggle to wire on a VXLAN lab',
    rows: [
      {
        measure: '2v vxlan toggle: patch call -> new source on the wire',
        unit: 'ms',
        summary: wire,
        goal: 'p95 <= 250 ms',
        pass: missed === 0 && wire.p95 <= 250,
        note: `${Math.round(pps)} pings/s${missed ? `, ${missed} flips never seen` : ''}`,
      },
      {
        measure: '2v vxlan toggle: apply (service appliedMs)',
        unit: 'ms',
        summary: summarize(flips.map((f) => f.appliedMs)),
      },
    ],
    data: { pps, flips },
    notes: ['outgoing-nat template with vxlanMode: Always; one ping process per packet'],
  };
}
