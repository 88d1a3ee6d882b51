// (1) Lab up, default template, image present: the service's up call until ready
// (containers, links, rules, BGP Established) plus a first ping answered, next to the
// floor: creating and starting as many bare containers in parallel through dockerode.
import { randomBytes } from 'node:crypto';
import { nowMs } from '../lib/clock.js';
import {
  address,
  defaultTemplate,
  downQuietly,
  firstPingAnswered,
  type BenchContext,
} from '../lib/lab.js';
import { countApiCalls } from '../lib/api-count.js';
import { settle } from '../lib/settle.js';
import { formatPhases, phasesOf } from '../lib/phases.js';
import type { RunOptions, Section } from '../lib/section.js';
import { summarize } from '../lib/stats.js';

export interface UpRun {
  floorMs: number;
  upCallMs: number;
  firstPingMs: number;
  readyMs: number; // upCallMs + firstPingMs
  downMs: number;
  containers: number;
  progress: { atMs: number; step: string; detail?: string }[];
  apiCalls: Record<string, number>;
}

/** Creates and starts `n` bare containers at once (same image, no network), then removes them. */
export async function floorRun(ctx: BenchContext, n: number): Promise<number> {
  const tag = randomBytes(3).toString('hex');
  const created: string[] = [];
  try {
    const t0 = nowMs();
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const c = await ctx.docker.createContainer({
          name: `bench-floor-${tag}-${i}`,
          Image: ctx.image,
          Cmd: ['sleep', 'infinity'],
          Labels: { 'egress-lab.bench': 'floor' },
          HostConfig: { NetworkMode: 'none', Init: true, CapAdd: ['NET_ADMIN', 'NET_RAW'] },
        });
        created.push(c.id);
        await c.start();
      }),
    );
    return nowMs() - t0;
  } finally {
    await Promise.all(
      created.map((id) =>
        ctx.docker
          .getContainer(id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
  }
}

export async function measureUp(ctx: BenchContext, runs: number): Promise<UpRun[]> {
  const source = await defaultTemplate();
  const lab = 'bench-up';
  const out: UpRun[] = [];
  await downQuietly(ctx, lab);
  try {
    await upRuns(ctx, source, lab, runs, out);
  } finally {
    await downQuietly(ctx, lab);
  }
  return out;
}

async function upRuns(
  ctx: BenchContext,
  source: Awaited<ReturnType<typeof defaultTemplate>>,
  lab: string,
  runs: number,
  out: UpRun[],
): Promise<void> {
  for (let r = 0; r < runs; r++) {
    const progress: UpRun['progress'] = [];
    await settle();
    const counter = countApiCalls(ctx.docker);
    const t0 = nowMs();
    let status;
    try {
      status = await ctx.service.up([source], {
        name: lab,
        onProgress: (step, detail) =>
          progress.push({ atMs: Math.round(nowMs() - t0), step, ...(detail ? { detail } : {}) }),
      });
    } finally {
      counter.restore();
    }
    const upCallMs = nowMs() - t0;
    const firstPingMs = await firstPingAnswered(ctx, lab, 'web-1', address(status, 'internet'));
    const containers = status.containers.length;
    const apiCalls = counter.counts();
    const d0 = nowMs();
    await ctx.service.down(lab);
    const downMs = nowMs() - d0;
    await settle();
    const floorMs = await floorRun(ctx, containers);
    out.push({
      floorMs,
      upCallMs,
      firstPingMs,
      readyMs: upCallMs + firstPingMs,
      downMs,
      containers,
      progress,
      apiCalls,
    });
    ctx.log(
      `  up #${r + 1}: ready ${Math.round(upCallMs + firstPingMs)} ms (up ${Math.round(upCallMs)} + ping ${Math.round(firstPingMs)}), floor ${Math.round(floorMs)} ms for ${containers} containers, down ${Math.round(downMs)} ms`,
    );
  }
}

export async function benchUp(ctx: BenchContext, o: RunOptions): Promise<Section> {
  const runs = await measureUp(ctx, o.quick ? 3 : 7);
  const ready = summarize(runs.map((r) => r.readyMs));
  const floor = summarize(runs.map((r) => r.floorMs));
  const ratios = summarize(runs.map((r) => r.readyMs / r.floorMs));
  const ratioOfMedians = ready.median / floor.median;
  return {
    id: 'up',
    title: '1. lab up (outgoing-nat template), call until ready + first ping',
    rows: [
      { measure: '1 up: ready (up call + first ping)', unit: 'ms', summary: ready },
      {
        measure: '1 up: up call alone',
        unit: 'ms',
        summary: summarize(runs.map((r) => r.upCallMs)),
        note: `median run, ms: ${formatPhases(medianPhases(runs))}`,
      },
      {
        measure: `1 floor: ${runs[0]?.containers ?? '?'} bare containers in parallel`,
        unit: 'ms',
        summary: floor,
      },
      {
        measure: '1 ratio ready / floor (per run)',
        unit: 'x',
        summary: ratios,
        goal: '<= 1.5x',
        pass: ratioOfMedians <= 1.5,
        note: `ratio of medians ${ratioOfMedians.toFixed(2)}x`,
      },
      { measure: '1 down', unit: 'ms', summary: summarize(runs.map((r) => r.downMs)) },
    ],
    data: runs,
    notes: [],
  };
}

/** Phases of the run whose up call was the median one. */
function medianPhases(runs: readonly UpRun[]): Record<string, number> {
  const sorted = [...runs].sort((a, b) => a.upCallMs - b.upCallMs);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)];
  return mid ? phasesOf(mid.progress, mid.upCallMs) : {};
}
