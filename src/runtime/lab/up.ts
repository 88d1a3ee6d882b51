// `up`: make the engine match a LabPlan. Reuse what is running with the same config,
// re-create what changed or died, remove what the plan dropped; wire every link in one
// helper run; apply the dataplane everywhere; wait for BGP. New containers start as an
// agent loop on their attach stream (BOOT_CMD), and so does the helper: a new lab is
// wired, applied, waited for and read without one exec (an exec costs ~40 ms of runc here).
import type Dockerode from 'dockerode';
import { randomBytes } from 'node:crypto';
import { expectedSessions } from '../../core/plan/bgp-routes.js';
import { renderBirdConfig } from '../../core/plan/render-container.js';
import type { ContainerPlan, LabPlan } from '../../core/plan/types.js';
import { ApplyAgent, BOOT_CMD } from '../agent/apply-agent.js';
import { ApplyError, applyOne } from '../agent/apply.js';
import { mapLimit } from '../util/concurrency.js';
import { configHash, helperCreateOptions, labContainerCreateOptions } from './containers.js';
import { withEngineDeadline } from '../engine/deadline.js';
import { asExisting, listLabContainers, removeContainer } from './queries.js';
import { writeLabFile, type LabFile } from './lab-files.js';
import { checkContainerName, checkLabName, dockerName } from './names.js';
import {
  localNeighbourLimit,
  neighbourAdvice,
  neighbourEstimate,
  raiseLocalNeighbourLimit,
} from './neigh.js';
import { noProgress, type ProgressFn } from '../util/progress.js';
import { reconcileContainers } from './reconcile.js';
import {
  blockingSessions,
  parseLiveBgp,
  parseLiveStatus,
  PROTO,
  statusOf,
  waitBgpEstablished,
  type BgpWaitList,
  type LiveStatus,
} from './status.js';
import type { ApplyOutcome, LabState } from './types.js';
import { wiringScript, type WiringLink } from '../wiring/wiring-script.js';

export interface UpOptions {
  name?: string;
  onProgress?: ProgressFn;
  concurrency?: number;
  bgpTimeoutMs?: number;
  /** The machine's ARP table limit (gc_thresh3), when known; default: read locally for a local engine. */
  neighbourLimit?: number;
  /** Skip the final status read (addresses, BGP) to return sooner. */
  skipStatus?: boolean;
  /**
   * A file to place in one of the lab's containers (the service's lab record, in the
   * router): through the container's agent when `up` creates it (no archive call competing
   * with the wiring), else through the engine's archive API; `up` fails if it cannot.
   */
  file?: LabFile;
  /**
   * Takes the boot agents of the new containers that get applies later (nodes, the
   * router, hosts with services) once `up` succeeded, instead of closing them: the first
   * change and status read after `up` then need no exec. Receives the Docker name; the
   * receiver keeps the agent or closes it.
   */
  adoptAgent?: (dockerName: string, agent: ApplyAgent) => void;
}

interface Started {
  container: Dockerode.Container;
  agent: ApplyAgent;
}

/**
 * Creates and starts, attached to the main process before the start: a BOOT_CMD agent
 * (`boot`), or the wiring helper's own request loop.
 */
async function createAndStart(
  docker: Dockerode,
  opts: Dockerode.ContainerCreateOptions,
  boot: boolean,
): Promise<Started> {
  const container = await withEngineDeadline(
    `the creation of container ${opts.name ?? ''}`,
    docker.createContainer(opts),
  );
  const agent = await ApplyAgent.attach(container, boot);
  try {
    await withEngineDeadline(
      `the start of container ${opts.name ?? ''}`,
      container.start() as Promise<unknown>,
    );
  } catch (e) {
    agent.close();
    throw e;
  }
  return { container, agent };
}

/**
 * The engine's list rows of the lab's containers as `up` leaves them (each created or
 * found running by this call): the final status needs no listing call.
 */
function runningRows(
  lab: string,
  plan: LabPlan,
  image: string,
  ids: ReadonlyMap<string, string>,
  nodeOfPod: ReadonlyMap<string, string>,
): Dockerode.ContainerInfo[] {
  return plan.containers.map((c) => {
    const o = labContainerCreateOptions(lab, c, image, nodeOfPod.get(c.name));
    return {
      Id: ids.get(c.name) ?? '',
      Names: [`/${o.name!}`],
      Labels: o.Labels ?? {},
      State: 'running',
    } as Dockerode.ContainerInfo;
  });
}

/**
 * The wiring helper, in the network namespace of the running lab container `owner`; in a
 * namespace of its own if that fails (the owner stopped in the meantime).
 */
async function startHelper(
  docker: Dockerode,
  lab: string,
  image: string,
  owner: string,
): Promise<Started> {
  const suffix = randomBytes(3).toString('hex');
  try {
    return await createAndStart(docker, helperCreateOptions(lab, image, suffix, owner), false);
  } catch {
    await removeContainer(docker, helperCreateOptions(lab, image, suffix).name!).catch(
      () => undefined,
    );
    return createAndStart(docker, helperCreateOptions(lab, image, `${suffix}n`), false);
  }
}

/**
 * Through the new containers' agents, one request each: the BGP wait inside the container
 * (polling BIRD, no exec per poll) followed by the status read (`ready`), or the status
 * alone. Fills `known` with the live views; returns the containers whose awaited sessions
 * are all Established. The rest, if any, go to the exec-based wait (timeout, restarts of
 * stuck sessions, the error naming them).
 */
async function bootReady(
  agents: ReadonlyMap<string, ApplyAgent>,
  waitFor: BgpWaitList,
  small: boolean,
  known: Map<string, LiveStatus>,
  readStatus: boolean,
): Promise<Set<string>> {
  const done = new Set<string>();
  const [polls, every] = small ? ['150', '0.01'] : ['60', '0.05'];
  await Promise.all(
    [...agents].map(async ([name, agent]) => {
      const waiting = waitFor.has(name);
      if (!waiting && !readStatus) return;
      const want = waitFor.get(name);
      const r = await (
        waiting
          ? agent.request(
              'ready',
              [polls, every, ...(want ?? []).filter((p) => PROTO.test(p))].join(' '),
              30_000,
            )
          : agent.request('status', '', 15_000)
      ).catch(() => undefined);
      if (r?.exitCode !== 0) return;
      known.set(name, parseLiveStatus(r.stdout));
      if (waiting && blockingSessions(parseLiveBgp(r.stdout), want).length === 0) done.add(name);
    }),
  );
  return done;
}

/**
 * The sessions `up` waits for: those the core expects to establish (a BGPPeer at an
 * address nobody answers on stays Active forever, as with Calico).
 */
export function bgpWaitList(plan: LabPlan): BgpWaitList {
  const out: BgpWaitList = new Map();
  for (const s of expectedSessions(plan)) {
    if (!s.expectUp) continue;
    out.set(s.container, [...(out.get(s.container) ?? []), s.protocol]);
  }
  return out;
}

/** A container whose whole dataplane is routes (pods): the wiring helper applies them, no exec. */
export function routesOnly(c: ContainerPlan): boolean {
  return !c.dataplane && !c.routerBgp && c.services.length === 0;
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
  // A small lab (a workshop's): the BGP wait polls fast.
  const small = plan.containers.length <= 16;
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

  // The wiring helper starts as soon as one lab container runs (it joins that one's
  // network namespace), overlapping the other starts; `undefined`: no helper (failed early).
  let netnsOwner!: (id: string | undefined) => void;
  const helperP: Promise<Started | undefined> = new Promise<string | undefined>(
    (resolve) => (netnsOwner = resolve),
  ).then((id) => (id === undefined ? undefined : startHelper(docker, lab, image, id)));
  helperP.catch(() => undefined);
  const removeHelper = async (): Promise<void> => {
    netnsOwner(undefined);
    const h = await helperP.catch(() => undefined);
    h?.agent.close();
    if (h) await removeContainer(docker, h.container.id).catch(() => undefined);
  };

  // 1. Decide.
  let decision: ReturnType<typeof reconcileContainers>;
  try {
    const existing = (await listLabContainers(docker, lab)).map(asExisting);
    decision = reconcileContainers(
      plan.containers.map((c) => ({ name: c.name, configHash: configHash(c, image) })),
      existing,
    );
  } catch (e) {
    await removeHelper();
    throw e;
  }
  const fresh = new Set([...decision.create, ...decision.replace.map((r) => r.name)]);
  progress(
    'containers',
    `${decision.keep.length} reused, ${decision.create.length} to create, ${decision.replace.length} to re-create, ${decision.remove.length} to remove`,
  );

  // 2. Containers, in parallel with the helper's start.
  let linksRepaired: number | undefined;
  const pids = new Map<string, number>();
  const ids = new Map<string, string>(); // every plan container, once it runs
  let sideWork: Promise<void> | undefined;
  // Agents of the containers created by this call; closing one lets its loop end in sleep.
  const agents = new Map<string, ApplyAgent>();
  const early = new Map<string, Promise<ApplyOutcome>>();
  const closeAgents = (): void => {
    for (const a of agents.values()) a.close();
  };
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
      ids.set(name, id);
      netnsOwner(id);
    });
    keepPids.catch(() => undefined);
    await mapLimit([...fresh], limit, async (name) => {
      const id = replaceId.get(name);
      if (id) await removeContainer(docker, id);
      const c = planByName.get(name)!;
      const created = await createAndStart(
        docker,
        labContainerCreateOptions(lab, c, image, nodeOfPod.get(name), BOOT_CMD),
        true,
      );
      agents.set(name, created.agent);
      ids.set(name, created.container.id);
      // The dataplane goes in at once (rules, sets, services, BIRD with its sessions
      // disabled: none needs the links), while the other containers start; the helper adds
      // the routes with the links, then the sessions are enabled (the wiring script).
      if (!routesOnly(c))
        early.set(
          name,
          applyOne(docker, lab, c, {
            agents: created.agent,
            full: true,
            fresh: true,
            skipRoutes: true,
            birdSessionsDisabled: true,
          }),
        );
      if (opts.file?.container === name) {
        sideWork = writeLabFile(docker, lab, opts.file, created.agent);
        sideWork.catch(() => undefined);
      }
      const info = await created.container.inspect();
      pids.set(name, info.State.Pid);
      netnsOwner(created.container.id);
      progress('containers', `started ${name} (${++started}/${fresh.size})`);
    });
    await keepPids;
    lap('containers');
    if (opts.file && !sideWork) {
      sideWork = writeLabFile(docker, lab, opts.file);
      sideWork.catch(() => undefined);
    }

    // 3. Wiring: one script, one request to the helper.
    const links: WiringLink[] = plan.links.map((link) => {
      const newA = fresh.has(link.a.container);
      const newB = fresh.has(link.b.container);
      const stale: ('a' | 'b')[] = newA === newB ? [] : newA ? ['b'] : ['a'];
      return { link, verify: !newA && !newB, stale };
    });
    const script = wiringScript(
      plan.containers.map((c) => {
        const bird = agents.has(c.name) ? renderBirdConfig(c) : undefined;
        return {
          name: c.name,
          pid: pids.get(c.name) ?? 0,
          bridges: c.bridges,
          interfaces: c.interfaces,
          // Routes of new containers (their dataplane went in without them) and of pods.
          ...(routesOnly(c) || agents.has(c.name) ? { routes: c.routes } : {}),
          fresh: fresh.has(c.name),
          // New BIRDs run with their sessions disabled until the links are there.
          ...(bird !== undefined ? { bird } : {}),
        };
      }),
      links,
    );
    const helper = await helperP;
    if (!helper) throw new Error('the wiring helper did not start: no lab container runs');
    lap('helper');
    progress(
      'wiring',
      `${links.filter((l) => !l.verify).length} links to create, ${links.filter((l) => l.verify).length} to check`,
    );
    const w = await helper.agent.request('wire', script, 300_000);
    // It has answered and exits: the engine removes it (AutoRemove) while the lab gets
    // ready; `up` does not wait for that (~30 ms of container teardown). A leftover (engine
    // restarted meanwhile) is removed by the next `up` or `down`, as any helper.
    helper.agent.close();
    if (w.exitCode !== 0) {
      // A new container's own apply failing is the cause to report (its BIRD never started).
      const failed = (await Promise.all(early.values())).filter((o) => !o.ok);
      if (failed.length) throw new ApplyError(failed);
      throw new Error(`wiring failed: ${w.stderr.trim() || w.stdout.trim()}`);
    }
    linksRepaired = w.stdout.split('\n').filter((l) => l.startsWith('relinked ')).length;
    lap('wiring');
  } catch (e) {
    closeAgents();
    await removeHelper();
    await sideWork?.catch(() => undefined);
    throw e;
  }
  const known = new Map<string, LiveStatus>();

  try {
    // 4. Dataplane everywhere.
    const execApplied = plan.containers.filter((c) => !routesOnly(c));
    progress('dataplane', `applying on ${execApplied.length} containers`);
    // New containers: their apply went in as they started and the helper enabled their
    // sessions; the BGP wait and status read go to their agents now. The others converge
    // to the plan (full) by exec.
    const waitFor = bgpWaitList(plan);
    const readyP = bootReady(agents, waitFor, small, known, !opts.skipStatus);
    readyP.catch(() => undefined);
    const outcomes = await mapLimit(
      execApplied,
      16,
      (c) => early.get(c.name) ?? applyOne(docker, lab, c, { full: true }),
    );
    if (outcomes.some((o) => !o.ok)) throw new ApplyError(outcomes);
    lap('dataplane');

    // 5. Ready: every BGP session Established.
    if (waitFor.size) progress('bgp', `waiting for BGP on ${[...waitFor.keys()].join(', ')}`);
    const settled = await readyP;
    for (const name of settled) waitFor.delete(name);
    if (waitFor.size) {
      for (const name of waitFor.keys()) known.delete(name); // read again once Established
      await waitBgpEstablished(docker, lab, waitFor, opts.bgpTimeoutMs ?? 60_000).catch(
        (e: Error) => {
          throw new Error(neighHint ? `${e.message}\nLikely cause: ${neighHint}` : e.message);
        },
      );
    }
    lap('bgp');
    // Up: the agents that later changes go to stay, if someone keeps them.
    if (opts.adoptAgent) {
      for (const c of plan.containers) {
        const agent = agents.get(c.name);
        if (!agent?.alive || routesOnly(c)) continue;
        opts.adoptAgent(dockerName(lab, c.name), agent);
        agents.delete(c.name);
      }
    }
  } finally {
    closeAgents();
    await sideWork?.catch(() => undefined);
  }
  await sideWork;

  const containers = opts.skipStatus
    ? []
    : await statusOf(docker, lab, runningRows(lab, plan, image, ids, nodeOfPod), known);
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
