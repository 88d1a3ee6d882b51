// What `up` knows while its stages run (up.ts runs them in order): the inputs, what is
// derived from them once, and what each stage leaves for the next.
import type Dockerode from 'dockerode';
import type { ContainerPlan, LabPlan } from '../../../core/plan/types.js';
import type { ApplyAgent } from '../../agent/apply-agent.js';
import type { LabFile } from '../lab-files.js';
import { checkContainerName, checkLabName } from '../names.js';
import {
  localNeighbourLimit,
  neighbourAdvice,
  neighbourEstimate,
  raiseLocalNeighbourLimit,
} from '../neigh.js';
import type { ReconcileDecision } from '../reconcile.js';
import type { BgpWaitList, LiveStatus } from '../status.js';
import type { ApplyOutcome } from '../types.js';
import { noProgress, type ProgressFn } from '../../util/progress.js';
import { wiringHelper, type WiringHelper } from './helper.js';

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

export interface UpContext {
  readonly docker: Dockerode;
  readonly image: string;
  readonly plan: LabPlan;
  readonly opts: UpOptions;
  readonly lab: string;
  readonly progress: ProgressFn;
  /** Engine calls at once (removals, inspections, creations). */
  readonly limit: number;
  /** A small lab (a workshop's): the BGP wait polls fast. */
  readonly small: boolean;
  /** Pod → its node (IPAM), and every container that names its node. */
  readonly nodeOfPod: ReadonlyMap<string, string>;
  /** Containers whose whole dataplane is routes (pods): the wiring helper applies them. */
  readonly routesOnly: ReadonlySet<string>;
  /** The BGP sessions to wait for; the await-BGP stage removes the settled containers. */
  readonly waitFor: BgpWaitList;
  /** Why BGP may fail here: the machine's ARP table looks too small for the lab. */
  readonly neighHint: string | undefined;
  readonly helper: WiringHelper;
  /** Milliseconds per stage, by the names the bench and the UI read (`lap`). */
  readonly timings: Record<string, number>;
  readonly t0: number;
  mark: number;

  // Left by the stages.
  /** decide: what to keep, create, re-create and remove. */
  decision: ReconcileDecision;
  /** decide: the containers this call creates or re-creates. */
  fresh: Set<string>;
  /** start: host PID of every plan container's init. */
  readonly pids: Map<string, number>;
  /** start: Docker ID of every plan container, once it runs. */
  readonly ids: Map<string, string>;
  /** start: agents of the containers created by this call; closing one lets its loop end in sleep. */
  readonly agents: Map<string, ApplyAgent>;
  /** start: the new containers' own applies, under way while the others start. */
  readonly early: Map<string, Promise<ApplyOutcome>>;
  /** start: the file's write (`opts.file`), awaited before `up` returns. */
  sideWork: Promise<void> | undefined;
  /** wire: pairs between reused containers that had to be re-made. */
  linksRepaired: number;
  /** await BGP: live views already read, by container name. */
  readonly known: Map<string, LiveStatus>;
}

/** Records the time since the last lap under `stage`. */
export function lap(ctx: UpContext, stage: string): void {
  const now = performance.now();
  ctx.timings[stage] = Math.round(now - ctx.mark);
  ctx.mark = now;
}

function localEngine(docker: Dockerode): boolean {
  return typeof (docker.modem as { socketPath?: unknown }).socketPath === 'string';
}

/** The ARP table is shared by every namespace of the machine: warn before a big lab overflows it. */
function neighbourHint(
  docker: Dockerode,
  plan: LabPlan,
  opts: UpOptions,
  progress: ProgressFn,
): string | undefined {
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
  return neighHint;
}

/** What up.ts decides from the plan: which containers are routes only, which sessions to await. */
export interface UpRules {
  routesOnly(c: ContainerPlan): boolean;
  bgpWaitList(plan: LabPlan): BgpWaitList;
}

/**
 * The context of one `up`, names checked first; the wiring helper waits for its first
 * running container.
 */
export function upContext(
  docker: Dockerode,
  image: string,
  plan: LabPlan,
  opts: UpOptions,
  rules: UpRules,
): UpContext {
  const lab = checkLabName(opts.name ?? plan.lab.name);
  const progress = opts.onProgress ?? noProgress;
  const t0 = performance.now();
  const seen = new Set<string>();
  for (const c of plan.containers) {
    checkContainerName(c.name);
    if (seen.has(c.name)) throw new Error(`plan has two containers named ${c.name}`);
    seen.add(c.name);
  }
  const nodeOfPod = new Map(plan.ipam.assignments.map((a) => [a.pod, a.node]));
  for (const c of plan.containers) if (c.node) nodeOfPod.set(c.name, c.node);
  const neighHint = neighbourHint(docker, plan, opts, progress);
  return {
    docker,
    image,
    plan,
    opts,
    lab,
    progress,
    limit: opts.concurrency ?? 8,
    small: plan.containers.length <= 16,
    nodeOfPod,
    routesOnly: new Set(plan.containers.filter((c) => rules.routesOnly(c)).map((c) => c.name)),
    waitFor: rules.bgpWaitList(plan),
    neighHint,
    helper: wiringHelper(docker, lab, image),
    timings: {},
    t0,
    mark: t0,
    decision: { keep: [], create: [], replace: [], remove: [] },
    fresh: new Set(),
    pids: new Map(),
    ids: new Map(),
    agents: new Map(),
    early: new Map(),
    sideWork: undefined,
    linksRepaired: 0,
    known: new Map(),
  };
}
