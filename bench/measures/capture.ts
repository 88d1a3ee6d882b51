// (3) Capture latency: a packet's tcpdump time stamp in the container to its event in
// the service. (4) Capture load: 5,000 packets/s into one capture for 10 s; every packet
// is delivered or counted as dropped; the service's (this process's) peak memory.
import { nowMs, sleep, tcpdumpTimeMs } from '../lib/clock.js';
import { captureEvents } from '../lib/capture-path.js';
import { address, defaultTemplate, downQuietly, type BenchContext } from '../lib/lab.js';
import { sampleMemory, type MemoryPeak } from '../lib/memory.js';
import type { RunOptions, Section } from '../lib/section.js';
import { summarize } from '../lib/stats.js';

const LAB = 'bench-capture';

async function labUp(ctx: BenchContext): Promise<{ internet: string }> {
  await downQuietly(ctx, LAB);
  const status = await ctx.service.up([await defaultTemplate()], { name: LAB });
  return { internet: address(status, 'internet') };
}

function pingArgv(to: string, count: number, intervalS: number, deadlineS?: number): string[] {
  const deadline = deadlineS === undefined ? [] : ['-w', String(deadlineS)];
  return [
    'ping',
    '-n',
    '-q',
    '-c',
    String(count),
    '-i',
    String(intervalS),
    '-W',
    '1',
    ...deadline,
    to,
  ];
}

function pingCounts(output: string): { transmitted: number; received: number } {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
  return { transmitted: Number(m?.[1] ?? NaN), received: Number(m?.[2] ?? NaN) };
}

export async function measureLatency(
  ctx: BenchContext,
  internet: string,
  count: number,
): Promise<{ path: string; latencies: number[]; unparsed: number }> {
  const latencies: number[] = [];
  let unparsed = 0;
  const cap = await captureEvents(
    ctx,
    LAB,
    'internet',
    'eth0',
    ['icmp[icmptype] == icmp-echo'],
    (ev, at) => {
      const t = tcpdumpTimeMs(ev.raw, at);
      if (t === undefined) unparsed++;
      else latencies.push(at - t);
    },
  );
  await sleep(300);
  const r = await ctx.runtime.exec(LAB, 'web-1', pingArgv(internet, count, 0.05));
  await sleep(300);
  await cap.stop();
  if (r.exitCode !== 0) throw new Error(`ping failed: ${r.stdout}${r.stderr}`);
  return { path: cap.path, latencies, unparsed };
}

export interface LoadResult {
  path: string;
  seconds: number;
  onWire: number; // requests transmitted + replies (ping's own counts)
  delivered: number;
  droppedByService: number;
  tcpdump?: { captured?: number; received?: number; dropped?: number };
  service?: { total: number; dropped: number };
  accounted: boolean;
  memory: MemoryPeak;
  achievedPps: number;
}

export async function measureLoad(
  ctx: BenchContext,
  internet: string,
  pps: number,
  seconds: number,
): Promise<LoadResult> {
  let delivered = 0;
  const cap = await captureEvents(ctx, LAB, 'internet', 'eth0', ['icmp'], () => delivered++);
  await sleep(500);
  const mem = sampleMemory(50);
  // Each echo request makes two packets on the host's eth0 (request in, reply out).
  // ping paces in whole milliseconds (a shorter -i floods): pingers at 1 ms each (2,000
  // packets/s), as many as the rate needs, each stopped by a deadline (-w) rather than a count.
  const pingers = Math.max(1, Math.ceil(pps / 2000) + 1); // one spare: a pinger rarely keeps 1 ms
  const perPinger = Math.round((pps / 2 / pingers) * seconds);
  const t0 = nowMs();
  const runs = await Promise.all(
    Array.from({ length: pingers }, () =>
      ctx.runtime.exec(LAB, 'web-1', pingArgv(internet, perPinger, 0.001, seconds), {
        timeoutMs: seconds * 1000 * 4 + 30_000,
      }),
    ),
  );
  const elapsed = (nowMs() - t0) / 1000;
  await sleep(1000); // let the tail arrive
  const stopped = await cap.stop();
  const memory = mem.stop();
  const onWire = runs
    .map((r) => pingCounts(r.stdout))
    .reduce((n, c) => n + c.transmitted + c.received, 0);
  const droppedByService = cap.dropped();
  const kernelDropped = stopped.tcpdump?.dropped ?? 0;
  return {
    path: cap.path,
    seconds: elapsed,
    onWire,
    delivered,
    droppedByService,
    ...(stopped.tcpdump ? { tcpdump: stopped.tcpdump } : {}),
    ...(stopped.service ? { service: stopped.service } : {}),
    accounted: delivered + droppedByService + kernelDropped === onWire,
    memory,
    achievedPps: onWire / elapsed,
  };
}

export async function benchCaptureLatency(ctx: BenchContext, o: RunOptions): Promise<Section> {
  const { internet } = await labUp(ctx);
  try {
    const lat = await measureLatency(ctx, internet, o.quick ? 100 : 300);
    const s = summarize(lat.latencies);
    return {
      id: 'capture-latency',
      title: '3. capture latency',
      rows: [
        {
          measure: '3 capture: packet time stamp -> event',
          unit: 'ms',
          summary: s,
          goal: 'p95 <= 100 ms',
          pass: s.p95 <= 100,
          note: `via ${lat.path}${lat.unparsed ? `, ${lat.unparsed} lines without a time` : ''}`,
        },
      ],
      data: lat,
      notes:
        lat.path === 'runtime'
          ? ['LabService.live capture was not available: measured the runtime capture it builds on']
          : [],
    };
  } finally {
    if (o.quick) await downQuietly(ctx, LAB);
  }
}

export async function benchCaptureLoad(ctx: BenchContext, o: RunOptions): Promise<Section> {
  const { internet } = await labUp(ctx);
  try {
    const load = await measureLoad(ctx, internet, 5000, o.quick ? 3 : 10);
    const one = (
      v: number,
    ): { n: number; median: number; p95: number; min: number; max: number } => ({
      n: 1,
      median: v,
      p95: v,
      min: v,
      max: v,
    });
    return {
      id: 'capture-load',
      title: '4. capture load',
      rows: [
        {
          measure: '4 load: packets on the wire per second',
          unit: 'pkt/s',
          summary: one(load.achievedPps),
          goal: '>= 5000',
          pass: load.achievedPps >= 4750,
        },
        {
          measure: '4 load: delivered + dropped = on the wire',
          unit: 'pkts',
          summary: one(load.delivered),
          goal: 'all accounted',
          pass: load.accounted,
          note: `${load.onWire} on wire, ${load.delivered} delivered, ${load.droppedByService} dropped (service), ${load.tcpdump?.dropped ?? 0} (kernel${load.tcpdump?.dropped ? ': counted by tcpdump, in no service event' : ''}), via ${load.path}`,
        },
        {
          measure: '4 load: service peak RSS',
          unit: 'MiB',
          summary: one(load.memory.peakRssMiB),
          goal: '<= baseline + 256',
          pass: load.memory.peakRssMiB - load.memory.baselineRssMiB <= 256,
          note: `baseline ${load.memory.baselineRssMiB} MiB, peak heap ${load.memory.peakHeapUsedMiB} MiB`,
        },
      ],
      data: load,
      notes: [],
    };
  } finally {
    await downQuietly(ctx, LAB);
  }
}
