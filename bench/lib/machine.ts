// The machine a run measured: what RESULTS.md records next to the figures, and what
// else used the engine at the time (other labs skew the numbers).
import type Dockerode from 'dockerode';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

export interface MachineInfo {
  date: string;
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  docker: string;
  dockerApi: string;
  storageDriver: string;
}

export async function machineInfo(docker: Dockerode): Promise<MachineInfo> {
  const v = (await docker.version()) as { Version?: string; ApiVersion?: string };
  const info = (await docker.info()) as { Driver?: string };
  return {
    date: new Date().toISOString(),
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    docker: v.Version ?? '?',
    dockerApi: v.ApiVersion ?? '?',
    storageDriver: info.Driver ?? '?',
  };
}

/** Memory in use on the host (MemTotal - MemAvailable), MiB. */
export function hostMemoryInUseMiB(): number {
  const text = readFileSync('/proc/meminfo', 'utf8');
  const kb = (k: string): number =>
    Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return Math.round((kb('MemTotal') - kb('MemAvailable')) / 1024);
}

/** The other containers on the engine (name and lab label): who else was using it. */
export async function otherContainers(docker: Dockerode): Promise<string[]> {
  const all = await docker.listContainers({ all: false });
  return all
    .map((c) => c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12))
    .filter((n) => !n.startsWith('bench-'))
    .sort();
}

/** 1-minute load average, to show how busy the machine was. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/**
 * Memory charged to the given containers' cgroups (page cache included), MiB; undefined
 * when the cgroup files are not where cgroupfs v1 or v2 puts them (e.g. a remote engine).
 */
export function containersMemoryMiB(ids: readonly string[]): number | undefined {
  let bytes = 0;
  for (const id of ids) {
    const v1 = `/sys/fs/cgroup/memory/docker/${id}/memory.usage_in_bytes`;
    const v2 = `/sys/fs/cgroup/docker/${id}/memory.current`;
    const file = existsSync(v1) ? v1 : existsSync(v2) ? v2 : undefined;
    if (!file) return undefined;
    bytes += Number(readFileSync(file, 'utf8').trim());
  }
  return Math.round(bytes / 2 ** 20);
}

/** The kernel's neighbour (ARP) table limits: one table shared by every network namespace. */
export function neighbourLimits(): { gcThresh1: number; gcThresh2: number; gcThresh3: number } {
  const read = (n: number): number =>
    Number(readFileSync(`/proc/sys/net/ipv4/neigh/default/gc_thresh${n}`, 'utf8').trim());
  return { gcThresh1: read(1), gcThresh2: read(2), gcThresh3: read(3) };
}

/** How often the ARP table was full so far (sum of table_fulls over CPUs). */
export function arpTableFulls(): number {
  const lines = readFileSync('/proc/net/stat/arp_cache', 'utf8').trim().split('\n');
  const header = lines[0]!.trim().split(/\s+/);
  const col = header.indexOf('table_fulls');
  if (col < 0) return 0;
  return lines.slice(1).reduce((n, l) => n + parseInt(l.trim().split(/\s+/)[col]!, 16), 0);
}

/**
 * Raises the kernel's neighbour table limits (host, root) for the duration of `fn`, then
 * puts the old values back. Only when asked (EGRESS_LAB_BENCH_NEIGH=N): it is a host setting.
 */
export async function withNeighbourLimit<T>(
  entries: number | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  if (!entries) return fn();
  const before = neighbourLimits();
  const write = (n: number, v: number): void =>
    writeFileSync(`/proc/sys/net/ipv4/neigh/default/gc_thresh${n}`, String(v));
  write(3, Math.max(entries, before.gcThresh3));
  write(2, Math.max(Math.round(entries * 0.75), before.gcThresh2));
  try {
    return await fn();
  } finally {
    write(2, before.gcThresh2);
    write(3, before.gcThresh3);
  }
}
