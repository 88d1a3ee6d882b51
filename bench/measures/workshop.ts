// (issue 18) A workshop: N = 20 copies of the 6-container outgoing-nat lab started together
// (`workshop up`'s code: two at a time), memory they take (MemAvailable before and after, and
// the containers' own cgroup memory), then on copy 1 natOutgoing flipped 10 times while every
// other copy runs continuous ping: time from the patch call to the new source on copy 1's wire.
import { readFile } from 'node:fs/promises';
import { nowMs, sleep } from '../lib/clock.js';
import { address, defaultTemplate, downQuietly, type BenchContext } from '../lib/lab.js';
import type { RunOptions, Section } from '../lib/section.js';
import { summarize } from '../lib/stats.js';
import { newFlowPinger, wireTap } from '../lib/wire.js';
import { planWorkshop, startWorkshop } from '../../src/service/workshop.js';
import { MEMORY_PER_CONTAINER_BYTES } from '../../src/service/capacity.js';

const MiB = 2 ** 20;

async function memAvailable(): Promise<number> {
  const m = /MemAvailable:\s+(\d+) kB/.exec(await readFile('/proc/meminfo', 'utf8'));
  return Number(m![1]) * 1024;
}

export async function benchWorkshop(ctx: BenchContext, o: RunOptions): Promise<Section> {
  const n = o.quick ? 4 : 20;
  const source = await defaultTemplate();
  const plan = planWorkshop([source], { students: n, prefix: 'bench-ws' });
  for (const name of plan.names) await downQuietly(ctx, name);
  await sleep(2000);
  const memBefore = await memAvailable();
  const perLab: number[] = [];
  const t0 = nowMs();
  const traffic: string[] = [];
  try {
    await startWorkshop(ctx.service, [source], plan, (name, ms) => {
      perLab.push(ms);
      ctx.log(`  ${name} up in ${ms} ms`);
    });
    const upAllMs = nowMs() - t0;
    await sleep(3000); // let the engine's and the containers' memory settle
    const memAfter = await memAvailable();
    const takenBytes = memBefore - memAfter;
    // The containers' own memory (their cgroups), summed over every copy.
    let cgroupBytes = 0;
    const ids = await ctx.docker.listContainers({
      filters: { label: plan.names.map((l) => `egress-lab.lab=${l}`) },
    });
    const mine = ids.filter((c) => plan.names.includes(c.Labels['egress-lab.lab'] ?? ''));
    for (const c of mine) {
      const s = (await ctx.docker.getContainer(c.Id).stats({ stream: false })) as {
        memory_stats?: { usage?: number };
      };
      cgroupBytes += s.memory_stats?.usage ?? 0;
    }
    const containers = mine.length;

    // Every copy but the first runs a continuous ping from web-1 to internet.
    for (const lab of plan.names.slice(1)) {
      const t = await ctx.service.live.startTraffic({
        lab,
        from: 'web-1',
        to: 'internet',
        protocol: 'icmp',
        intervalMs: 100,
      });
      traffic.push(t.trafficId);
    }
    const lab = plan.names[0]!;
    const status = (await ctx.service.status(lab))[0]!;
    const pod = address(status, 'web-1');
    const node = status.nodes.find((x) => x.name === 'node-1')!.address.split('/')[0]!;
    const internet = address(status, 'internet');
    const tap = await wireTap(ctx, lab, 'internet', 'eth0', ['icmp[icmptype] == icmp-echo']);
    const pinger = newFlowPinger(ctx, lab, 'web-1', internet, 0.02);
    const toWire: number[] = [];
    let nat = true;
    try {
      if (!(await tap.waitFor((p) => p.src === node, 15_000)))
        throw new Error(`no ping from web-1 seen on ${lab}'s internet`);
      for (let i = 0; i < 10; i++) {
        const to: boolean = !nat;
        const tCall = nowMs();
        await ctx.service.patchPool(lab, 'default-ipv4-ippool', { spec: { natOutgoing: to } });
        const seen = await tap.waitFor((p) => p.tsMs >= tCall && p.src === (to ? node : pod), 5000);
        nat = to;
        toWire.push(seen ? seen.tsMs - tCall : NaN);
        ctx.log(`  flip ${i + 1}: ${seen ? Math.round(seen.tsMs - tCall) : 'never'} ms`);
        await sleep(300 + Math.random() * 200);
      }
    } finally {
      await pinger.kill('TERM').catch(() => undefined);
      await tap.stop().catch(() => undefined);
    }
    const others = await Promise.all(traffic.map((id) => ctx.service.live.stopTraffic(id)));
    traffic.length = 0;
    const answered = others.filter((s) => s.received > 0).length;
    const perContainerMiB = takenBytes / containers / MiB;
    const missed = toWire.filter((x) => !Number.isFinite(x)).length;
    const wire = summarize(toWire);
    return {
      id: 'workshop',
      title: `Workshop: ${n} copies of outgoing-nat`,
      rows: [
        {
          measure: `ws: up of ${n} copies (6 containers each), all`,
          unit: 's',
          summary: summarize([upAllMs / 1000]),
          note: `${containers} containers`,
        },
        { measure: 'ws: up of one copy (two at a time)', unit: 'ms', summary: summarize(perLab) },
        {
          measure: 'ws: memory per container (MemAvailable drop)',
          unit: 'MiB',
          summary: summarize([perContainerMiB]),
          goal: `<= ${MEMORY_PER_CONTAINER_BYTES / MiB} MiB (the capacity estimate's figure)`,
          pass: perContainerMiB <= MEMORY_PER_CONTAINER_BYTES / MiB,
          note: `${Math.round(takenBytes / MiB)} MiB for all; containers' own cgroups ${Math.round(cgroupBytes / MiB)} MiB`,
        },
        {
          measure: `ws: toggle -> wire on one copy while ${n - 1} run ping`,
          unit: 'ms',
          summary: wire,
          goal: 'p95 <= 250 ms',
          pass: missed === 0 && wire.p95 <= 250,
          note: `${answered}/${n - 1} other copies' pings answered throughout${missed ? `, ${missed} flips never seen` : ''}`,
        },
      ],
      data: { n, perLab, upAllMs, takenBytes, cgroupBytes, containers, toWire },
      notes: [
        'MemAvailable is machine-wide: other processes on a shared machine move it too; the cgroup sum is the containers alone',
      ],
    };
  } finally {
    for (const id of traffic) await ctx.service.live.stopTraffic(id).catch(() => undefined);
    for (const name of plan.names) await downQuietly(ctx, name);
  }
}
