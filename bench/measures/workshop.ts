// (issue 18) A workshop: N = 20 copies of the 6-container outgoing-nat lab started together
// (`workshop up`'s code: two at a time), memory they take (MemAvailable before and after, and
// the containers' own cgroup memory), then on copy 1 natOutgoing flipped 10 times while every
// other copy runs continuous ping: time from the patch call to the new source on copy 1's wire.
import { readdir, readFile } from 'node:fs/promises';
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

/** A container's cgroup memory (v1 cgroupfs, v2 cgroupfs or systemd), 0 when not found. */
async function cgroupMemory(id: string): Promise<number> {
  for (const path of [
    `/sys/fs/cgroup/memory/docker/${id}/memory.usage_in_bytes`,
    `/sys/fs/cgroup/docker/${id}/memory.current`,
    `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.current`,
  ]) {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text !== undefined) return Number(text.trim());
  }
  return 0;
}

/** Sums the containers' cgroup memory and the RSS of the containerd shims that run them. */
async function containerMemory(ids: string[]): Promise<{ cgroupBytes: number; shimBytes: number }> {
  let cgroupBytes = 0;
  for (const id of ids) cgroupBytes += await cgroupMemory(id);
  const wanted = new Set(ids);
  let shimBytes = 0;
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmd.includes('containerd-shim')) continue;
    if (!cmd.split('\0').some((w) => wanted.has(w))) continue;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    if (rss) shimBytes += Number(rss[1]) * 1024;
  }
  return { cgroupBytes, shimBytes };
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
    // The containers' own memory (their cgroups) and their engine-side shims (RSS), summed
    // over every copy: read on this machine, so only with a local engine.
    const all = await ctx.docker.listContainers({ filters: { label: ['egress-lab.lab'] } });
    const mine = all.filter((c) => plan.names.includes(c.Labels['egress-lab.lab'] ?? ''));
    const { cgroupBytes, shimBytes } = await containerMemory(mine.map((c) => c.Id));
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
    const perContainerMiB = (cgroupBytes + shimBytes) / containers / MiB;
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
          measure: 'ws: memory per container (its cgroup + its shim)',
          unit: 'MiB',
          summary: summarize([perContainerMiB]),
          goal: `<= ${MEMORY_PER_CONTAINER_BYTES / MiB} MiB (the capacity estimate's figure)`,
          pass: perContainerMiB <= MEMORY_PER_CONTAINER_BYTES / MiB,
          note: `cgroups ${Math.round(cgroupBytes / MiB)} MiB + shims ${Math.round(shimBytes / MiB)} MiB for ${containers}; MemAvailable fell ${Math.round(takenBytes / MiB)} MiB`,
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
      data: { n, perLab, upAllMs, takenBytes, cgroupBytes, shimBytes, containers, toWire },
      notes: [
        "memory per container: the containers' cgroups (their processes and kernel memory) plus the RSS of the containerd shims running them (shared pages counted in each); MemAvailable is machine-wide, so other processes on a shared machine move it too",
      ],
    };
  } finally {
    for (const id of traffic) await ctx.service.live.stopTraffic(id).catch(() => undefined);
    for (const name of plan.names) await downQuietly(ctx, name);
  }
}
