// The lab service as the benchmark drives it: one LabService in this process (so its
// memory is this process's), labs named bench-* so they never collide with other
// engineers' labs, and a down that runs even when a measurement failed.
import type Dockerode from 'dockerode';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { LabRuntime } from '../../src/runtime/lab/lab-runtime.js';
import { LabService } from '../../src/service/lab-service.js';
import type { LabSource, LabStatus } from '../../src/service/api.js';
import { nowMs, sleep } from './clock.js';

export interface BenchContext {
  service: LabService;
  runtime: LabRuntime;
  docker: Dockerode;
  image: string;
  log: (line: string) => void;
}

export async function benchContext(log: (line: string) => void): Promise<BenchContext> {
  const service = new LabService();
  const { image } = await service.setup();
  const runtime = await service.runtime();
  return { service, runtime, docker: runtime.docker, image, log };
}

export async function defaultTemplate(): Promise<LabSource> {
  const path = fileURLToPath(new URL('../../../lab-templates/outgoing-nat.yaml', import.meta.url));
  return { file: path, text: await readFile(path, 'utf8') };
}

export function address(status: LabStatus, name: string): string {
  const a =
    status.pods.find((p) => p.name === name)?.address ??
    status.hosts.find((h) => h.name === name)?.address ??
    status.nodes.find((n) => n.name === name)?.address;
  if (!a) throw new Error(`lab ${status.name} has no ${name}`);
  return a.split('/')[0]!;
}

/** Pings until one reply comes back; returns when it did (throws after timeoutMs). */
export async function firstPingAnswered(
  ctx: BenchContext,
  lab: string,
  from: string,
  to: string,
  timeoutMs = 20_000,
): Promise<number> {
  const t0 = nowMs();
  for (;;) {
    const r = await ctx.runtime.exec(lab, from, ['ping', '-n', '-c', '1', '-W', '1', to]);
    if (r.exitCode === 0) return nowMs() - t0;
    if (nowMs() - t0 > timeoutMs) throw new Error(`${from} got no ping reply from ${to}`);
    await sleep(50);
  }
}

export async function downQuietly(ctx: BenchContext, lab: string): Promise<void> {
  await ctx.service.down(lab).catch((e: Error) => ctx.log(`  down ${lab} failed: ${e.message}`));
}
