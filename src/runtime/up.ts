// `up`: make the engine match a LabPlan. Reuse what is running with the same config,
// re-create what changed or died, remove what the plan dropped; wire every link in one
// helper run; apply the dataplane everywhere; wait for BGP.
import type Dockerode from 'dockerode';
import { randomBytes } from 'node:crypto';
import { expectedSessions } from '../core/plan/bgp-routes.js';
import type { ContainerPlan, LabPlan } from '../core/plan/types.js';
import { applyAll } from './apply.js';
import { mapLimit } from './concurrency.js';
import { configHash, helperCreateOptions, labContainerCreateOptions } from './containers.js';
import { asExisting, listLabContainers, removeContainer } from './engine-queries.js';
import { execCollect } from './exec.js';
import { checkContainerName, checkLabName } from './names.js';
import {
  localNeighbourLimit,
  neighbourAdvice,
  neighbourEstimate,
  raiseLocalNeighbourLimit,
} from './neigh.js';
import { noProgress, type ProgressFn } from './progress.js';
import { reconcileContainers } from './reconcile.js';
import { statusOf, waitBgpEstablished, type BgpWaitList } from './status.js';
import type { LabState } from './types.js';
import { wiringScript, type WiringLink } from './wiring-script.js';

export interface UpOptions {
  name?: string;
  onProgress?: ProgressFn;
  concurrency?: number;
  bgpTimeoutMs?: number;
  /** The machine's ARP table limit (gc_thresh3), when known; default: read locally for a local engine. */
  neighbourLimit?: number;
  /** Skip the final status read (addresses, BGP) to return sooner. */
  skipStatus?: boolean;
}

async function createAndStart(
  docker: Dockerode,
  opts: Dockerode.ContainerCreateOptions,
): Promise<Dockerode.Container> {
  const c = await docker.createContainer(opts);
  await c.start();
  return c;
}

/**
 * The sessions `up` waits for: those the core expects to establish (a BGPPeer at an
 * address nobody answers on stays Active forever, as with Calico). A plan without the
 * core's BGP data (hand-written) waits for every BGP protocol of every BIRD.
 */
export function bgpWaitList(plan: LabPlan): BgpWaitList {
  const out: BgpWaitList = new Map();
  const fromCore = plan.containers.some((c) => c.dataplane || c.routerBgp);
  if (!fromCore) {
    for (const c of plan.containers)
      if (c.rendered.birdConfig !== undefined) out.set(c.name, undefined);
    return out;
  }
  for (const s of expectedSessions(plan)) {
    if (!s.expectUp) continue;
    out.set(s.container, [...(out.get(s.container) ?? []), s.protocol]);
  }
  return out;
}

/** A container whose whole dataplane is routes (pods): the wiring helper applies them, no exec. */
export function routesOnly(c: ContainerPlan): boolean {
  const r = c.rendered;
  return (
    r.ipsetRestore === undefined &&
    r.iptablesNat === undefined &&
    r.birdConfig === undefined &&
    !c.dataplane &&
    c.services.length === 0
  );
}

function localEngine(docker: Dockerode): boolean {
  return typeof (docker.modem as { socketPath?: unknown }).socketPath === 'string';
}

export async function labUp(
  docker: Dockerode,
  image: string,
  plan: LabPlan,
  opts: UpOptions = {},
): Promise<LabState> {
  const lab = checkLabName(opts.name ?? plan.lab.name);
  const progress = opts.onProgress ?? noProgress;
  const limit = opts.concurrency ?? 8;
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  let mark = t0;
  const lap = (k: string): void => {
    const now = performance.now();
    timings[k] = Math.round(now - mark);
    mark = now;
  };
  const seen = new Set<string>();
  for (const c of plan.containers) {
    checkContainerName(c.name);
    if (seen.has(c.name)) throw new Error(`plan has two containers named ${c.name}`);
    seen.add(c.name);
  }
  const nodeOfPod = new Map(plan.ipam.assignments.map((a) => [a.pod, a.node]));
  for (const c of plan.containers) if (c.node) nodeOfPod.set(c.name, c.node);

  // The ARP table is shared by every namespace of the machine: warn before a big lab overflows it.
  const needed = neighbourEstimate(plan);
  if (opts.neighbourLimit === undefined && localEngine(docker)) {
    const raised = raiseLocalNeighbourLimit(needed);
    if (raised) {
      progress(
        'engine',
        `raised net.ipv4.neigh.default.gc_thresh3 from ${raised.from} to ${raised.to}: the lab needs ~${needed} ARP entries (EGRESS_LAB_NO_SYSCTL=1 leaves it alone)`,
      );
    }
  }
  const neighLimit =
    opts.neighbourLimit ?? (localEngine(docker) ? localNeighbourLimit() : undefined);
  const neighHint =
    neighLimit !== undefined && needed > neighLimit * 0.8
      ? neighbourAdvice(needed, neighLimit)
      : undefined;
  if (neighHint) progress('warning', neighHint);

  // 1. Decide.
  const existing = (await listLabContainers(docker, lab)).map(asExisting);
  const decision = reconcileContainers(
    plan.containers.map((c) => ({ name: c.name, configHash: configHash(c, image) })),
    existing,
  );
  const fresh = new Set([...decision.create, ...decision.replace.map((r) => r.name)]);
  progress(
    'containers',
    `${decision.keep.length} reused, ${decision.create.length} to create, ${decision.replace.length} to re-create, ${decision.remove.length} to remove`,
  );

  // 2. Containers and the helper, in parallel (the helper's start overlaps the lab's).
  const helperP = createAndStart(
    docker,
    helperCreateOptions(lab, image, randomBytes(3).toString('hex')),
  );
  helperP.catch(() => undefined);
  let helper: Dockerode.Container | undefined;
  let linksRepaired: number | undefined;
  const removeHelper = async (): Promise<void> => {
    const h = helper ?? (await helperP.catch(() => undefined));
    if (h) await removeContainer(docker, h.id).catch(() => undefined);
  };
  const pids = new Map<string, number>();
  try {
    await mapLimit(decision.remove, limit, (id) => removeContainer(docker, id));
    const replaceId = new Map(decision.replace.map((r) => [r.name, r.id]));
    const planByName = new Map(plan.containers.map((c) => [c.name, c]));
    let started = 0;
    const keepPids = mapLimit(decision.keep, limit, async ({ name, id }) => {
      const info = await docker.getContainer(id).inspect();
      if (!info.State.Running)
        throw new Error(`${name} stopped while the lab came up; run up again`);
      pids.set(name, info.State.Pid);
    });
    keepPids.catch(() => undefined);
    await mapLimit([...fresh], limit, async (name) => {
      const id = replaceId.get(name);
      if (id) await removeContainer(docker, id);
      const c = planByName.get(name)!;
      const created = await createAndStart(
        docker,
        labContainerCreateOptions(lab, c, image, nodeOfPod.get(name)),
      );
      const info = await created.inspect();
      pids.set(name, info.State.Pid);
      progress('containers', `started ${name} (${++started}/${fresh.size})`);
    });
    await keepPids;
    lap('containers');

    // 3. Wiring: one script, one exec in the helper.
    const links: WiringLink[] = plan.links.map((link) => {
      const newA = fresh.has(link.a.container);
      const newB = fresh.has(link.b.container);
      const stale: ('a' | 'b')[] = newA === newB ? [] : newA ? ['b'] : ['a'];
      return { link, verify: !newA && !newB, stale };
    });
    const script = wiringScript(
      plan.containers.map((c) => ({
        name: c.name,
        pid: pids.get(c.name) ?? 0,
        bridges: c.bridges,
        interfaces: c.interfaces,
        ...(routesOnly(c) ? { routes: c.rendered.routes } : {}),
      })),
      links,
    );
    helper = await helperP;
    lap('helper');
    progress(
      'wiring',
      `${links.filter((l) => !l.verify).length} links to create, ${links.filter((l) => l.verify).length} to check`,
    );
    const w = await execCollect(helper, ['sh', '-s'], { stdin: script, timeoutMs: 300_000 });
    if (w.exitCode !== 0) throw new Error(`wiring failed: ${w.stderr.trim() || w.stdout.trim()}`);
    linksRepaired = w.stdout.split('\n').filter((l) => l.startsWith('relinked ')).length;
    lap('wiring');
  } catch (e) {
    await removeHelper();
    throw e;
  }
  // The helper goes away while the dataplane is applied (removal is awaited before returning).
  const helperGone = removeHelper();

  try {
    // 4. Dataplane everywhere.
    const execApplied = plan.containers.filter((c) => !routesOnly(c));
    progress('dataplane', `applying on ${execApplied.length} containers`);
    await applyAll(docker, lab, execApplied, 16, undefined, true); // full: converge to the plan
    lap('dataplane');

    // 5. Ready: every BGP session Established.
    const waitFor = bgpWaitList(plan);
    if (waitFor.size) {
      progress('bgp', `waiting for BGP on ${[...waitFor.keys()].join(', ')}`);
      await waitBgpEstablished(docker, lab, waitFor, opts.bgpTimeoutMs ?? 60_000).catch(
        (e: Error) => {
          throw new Error(neighHint ? `${e.message}\nLikely cause: ${neighHint}` : e.message);
        },
      );
    }
    lap('bgp');
  } finally {
    await helperGone;
  }

  const containers = opts.skipStatus
    ? []
    : await statusOf(docker, lab, await listLabContainers(docker, lab));
  lap('status');
  timings.total = Math.round(performance.now() - t0);
  progress('ready', `${lab} is up (${timings.total} ms)`);
  return {
    name: lab,
    containers,
    actions: {
      created: decision.create,
      reused: decision.keep.map((k) => k.name),
      recreated: decision.replace.map((r) => r.name),
      removed: decision.remove.length + decision.replace.length,
      linksCreated: plan.links.filter((l) => fresh.has(l.a.container) || fresh.has(l.b.container))
        .length,
      linksRepaired: linksRepaired ?? 0,
      linksChecked: plan.links.filter((l) => !fresh.has(l.a.container) && !fresh.has(l.b.container))
        .length,
    },
    timingsMs: timings,
  };
}
