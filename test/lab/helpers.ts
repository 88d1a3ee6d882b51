// Shared by the lab tests: one engine, one image, a runtime, and "send traffic while
// tcpdump listens on the destination" in one call.
import type Dockerode from 'dockerode';
import { execFileSync } from 'node:child_process';
import type { LabPlan } from '../../src/core/plan/types.js';
import { LABEL_LAB } from '../../src/runtime/lab/labels.js';
import { ensureEngine } from '../../src/runtime/engine/engine.js';
import { ensureImageDetailed } from '../../src/runtime/image/image.js';
import { LabRuntime } from '../../src/runtime/lab/lab-runtime.js';

let shared:
  Promise<{ docker: Dockerode; runtime: LabRuntime; imageMs: number; built: string }> | undefined;

/** Engine (installed and started when missing) and image (built when missing), once per file. */
export function labRuntime(): Promise<{
  docker: Dockerode;
  runtime: LabRuntime;
  imageMs: number;
  built: string;
}> {
  shared ??= (async () => {
    const log = (step: string, detail?: string): void => {
      if (process.env.EGRESS_LAB_TEST_VERBOSE) console.log(`[${step}] ${detail ?? ''}`);
    };
    const docker = await ensureEngine(log);
    const img = await ensureImageDetailed(docker, log);
    return {
      docker,
      runtime: new LabRuntime(docker, { image: img.tag }),
      imageMs: img.ms,
      built: img.built,
    };
  })();
  return shared;
}

export interface Observed {
  at: Record<string, string[]>; // tcpdump lines per capturing container (eth0, icmp)
  transmitted: number;
  received: number;
}

/** Starts tcpdump on each of `at`, pings `to` from `from`, stops tcpdump; returns what it printed. */
export async function pingObserved(
  rt: LabRuntime,
  lab: string,
  from: string,
  to: string,
  at: readonly string[],
  count = 3,
): Promise<Observed> {
  const filter = to.includes(':') ? ['icmp6'] : ['icmp']; // IPv6 labs: ICMPv6 echoes
  const caps = at.map((c) => ({
    c,
    cap: rt.capture(lab, c, { iface: 'eth0', filter }),
    lines: [] as string[],
  }));
  const readers = caps.map(async (x) => {
    for await (const l of x.cap) x.lines.push(l);
  });
  await Promise.all(caps.map((x) => x.cap.ready));
  const p = await rt.ping(lab, from, to, count);
  await new Promise((r) => setTimeout(r, 200)); // let the last packets reach tcpdump
  await Promise.all(caps.map((x) => x.cap.stop()));
  await Promise.all(readers);
  return {
    at: Object.fromEntries(caps.map((x) => [x.c, x.lines])),
    transmitted: p.transmitted,
    received: p.received,
  };
}

/** Sources of the echo requests in tcpdump lines ("IP 172.30.0.11 > 203.0.113.10: ICMP echo request"). */
export function requestSources(lines: readonly string[], dst: string): string[] {
  const out: string[] = [];
  for (const l of lines) {
    const m =
      / IP (\S+) > (\S+): ICMP echo request/.exec(l) ??
      / IP6 (\S+) > (\S+): ICMP6, echo request/.exec(l);
    if (m && m[2] === dst) out.push(m[1] as string);
  }
  return out;
}

export function replyDestinations(lines: readonly string[], src: string): string[] {
  const out: string[] = [];
  for (const l of lines) {
    const m =
      / IP (\S+) > (\S+): ICMP echo reply/.exec(l) ??
      / IP6 (\S+) > (\S+): ICMP6, echo reply/.exec(l);
    if (m && m[1] === src) out.push(m[2] as string);
  }
  return out;
}

/** Interface names in the host's own network namespace. */
export function hostIfnames(): Set<string> {
  return new Set(
    execFileSync('ip', ['-o', 'link', 'show'])
      .toString()
      .split('\n')
      .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1])
      .filter((n): n is string => n !== undefined),
  );
}

/** The veth names a plan creates (eth0 left out: the host has its own). */
export function planIfnames(plan: LabPlan): Set<string> {
  return new Set(plan.links.flatMap((l) => [l.a.ifname, l.b.ifname]).filter((n) => n !== 'eth0'));
}

/** What a removed lab left behind: its containers (by label) and its veths in the host namespace. */
export async function labLeftovers(
  docker: Dockerode,
  lab: string,
  plan: LabPlan,
): Promise<{ containers: string[]; hostIfnames: string[] }> {
  const left = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL_LAB}=${lab}`] },
  });
  const ours = planIfnames(plan);
  return {
    containers: left.map((c) => c.Names[0] ?? c.Id),
    hostIfnames: [...hostIfnames()].filter((n) => ours.has(n)),
  };
}

/** The engine, with every exec made through it counted. */
export function countingExecs(real: Dockerode): { docker: Dockerode; execs: string[] } {
  const execs: string[] = [];
  const wrap = (c: Dockerode.Container): Dockerode.Container =>
    new Proxy(c, {
      get(target, prop, receiver) {
        if (prop === 'exec')
          return (opts: Dockerode.ExecCreateOptions) => {
            execs.push(`${target.id}: ${(opts.Cmd ?? []).join(' ').slice(0, 40)}`);
            return target.exec(opts);
          };
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  const docker = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'getContainer') return (id: string) => wrap(target.getContainer(id));
      if (prop === 'createContainer')
        return async (o: Dockerode.ContainerCreateOptions) => wrap(await target.createContainer(o));
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { docker, execs };
}
