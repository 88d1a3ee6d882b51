// The lab service: the one facade every shell uses (CLI, Electron main, browser-mode
// server). It joins the pure core (load, plan, explain) with a runtime (Docker's LabRuntime,
// or any ServiceRuntime), keeps each running lab's record on the engine, and pushes events.
// Shells call its typed methods directly or through `call(channel, request)`, the
// transport-neutral form (./handlers.ts).
import { traceProbe, type TraceRequest, type TraceResult } from './diag/trace.js';
import { makeBundle, type BundleOptions } from './diag/bundle.js';
import { unbundleSources, type Bundle } from '../core/diag/bundle.js';
import { diffNode } from '../core/diag/node-diff.js';
import type { NodeDiffResult } from '../core/diag/types.js';
import type Dockerode from 'dockerode';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { CONNTRACK_WARNING, explain } from '../core/explain/explain.js';
import type { Explanation } from '../core/explain/types.js';
import { formatProblem, printable } from '../core/errors.js';
import { labWithCalicoVersion, loadLab } from '../core/lab-file/index.js';
import type { IPPool } from '../core/model/calico.js';
import type { Lab } from '../core/model/lab.js';
import { planLab } from '../core/plan/plan-lab.js';
import type { ContainerPlan, LabPlan } from '../core/plan/types.js';
import { engineInUse } from '../runtime/engine/engine.js';
import { ensureImage } from '../runtime/image/image.js';
import { LabRuntime } from '../runtime/lab/lab-runtime.js';
import type { LockOptions } from '../runtime/lab/lab-lock.js';
import { checkLabName } from '../runtime/lab/names.js';
import { KeyedQueue } from '../runtime/util/concurrency.js';
import type { ProgressFn } from '../runtime/util/progress.js';
import type {
  ChangeResult,
  LabApiCalls,
  LabApiChannel,
  LabApiClient,
  LabApiEventName,
  LabApiEvents,
  LabSource,
  LabStatus,
  TemplateInfo,
  ValidationResult,
  EngineStatus,
} from './api.js';
import {
  appliedLab,
  changeResult,
  deletedPoolLab,
  deletedResourcesLab,
  type ResourceRef,
  everyApplied,
  patchedLab,
  planChange,
  type PlannedChange,
} from './changes.js';
import { DownTracker } from './down-tracker.js';
import { ExerciseTracker } from './exercise.js';
import { checkpointLab } from '../core/changes/checkpoint.js';
import {
  patchedSource,
  resourceViews,
  type ResourceKind,
  type ResourceView,
} from '../core/changes/resource-views.js';
import { patchedMessage } from '../core/changes/resource-messages.js';
import { dockerEngines, type EngineFinder } from './engine-access.js';
import { clientFileName } from './client-text.js';
import { labApiHandlers, type Handler, type LabApiMethods } from './handlers.js';
import { EXERCISE_PROGRESS, STATE_DIR, planOf, recordFile, type LabRecord } from './lab-record.js';
import { LabWatcher } from './lab-watch.js';
import { LiveFeatures } from './live/index.js';
import { ValidationWorker, validateToResult } from './validation.js';
import { RecordStore } from './record-store.js';
import type { ServiceRuntime } from './service-runtime.js';
import { labStatus } from './status-view.js';
import { defaultTemplatesDir, listTemplates, readTemplate } from './templates.js';

export interface LabServiceOptions<R extends ServiceRuntime = LabRuntime> {
  templatesDir?: string;
  /**
   * A runtime to use instead of finding (or installing) an engine on first need: a
   * LabRuntime the caller owns, or a stand-in that simulates labs (tests).
   */
  runtime?: R;
  /** False for a process that makes one change and exits (the CLI): see LabRuntimeOptions. */
  residentAgents?: boolean;
  /** How an engine is found (tests hand in a fake); default: Docker's, see engine-access.ts. */
  engines?: EngineFinder;
  /** How long a change waits while another process changes the same lab (default 30 s). */
  lockWaitMs?: number;
}

export class LabService<R extends ServiceRuntime = LabRuntime>
  implements LabApiClient, LabApiMethods
{
  private runtimeP: Promise<R> | undefined;
  private readonly events = new EventEmitter();
  private readonly templatesDir: string;
  /**
   * Changes to one lab run one at a time in this process; across processes, the lab's lock
   * (in its router: record-store.ts `lock`) keeps them apart.
   */
  private readonly queue = new KeyedQueue();
  readonly live: LiveFeatures;
  /** Workshops: each lab's exercise step and last check (issue 18). */
  readonly exercises: ExerciseTracker;
  private readonly records = new RecordStore(
    () => this.runtime(),
    (lab, e) =>
      this.emit('lab:event', {
        lab,
        kind: 'change',
        message: `the change is applied, but the lab's record could not be saved: ${e.message}`,
        at: Date.now(),
      }),
  );
  private watcher: LabWatcher | undefined;
  private readonly downs = new DownTracker();
  /** Large `lab:validate` inputs are checked on a worker thread. */
  private readonly validator = new ValidationWorker();
  private readonly handlers = labApiHandlers(this);
  private readonly ownsRuntime: boolean;
  private readonly residentAgents: boolean;
  private readonly engines: EngineFinder;
  private readonly lockWaitMs: number | undefined;

  constructor(opts: LabServiceOptions<R> = {}) {
    this.templatesDir = opts.templatesDir ?? defaultTemplatesDir();
    if (opts.runtime) this.runtimeP = Promise.resolve(opts.runtime);
    this.ownsRuntime = !opts.runtime;
    this.residentAgents = opts.residentAgents ?? true;
    this.engines = opts.engines ?? dockerEngines;
    this.lockWaitMs = opts.lockWaitMs;
    this.events.setMaxListeners(100);
    this.live = new LiveFeatures(this);
    this.exercises = new ExerciseTracker({
      record: (lab) => this.record(lab),
      status: (name) => this.status(name),
      check: (lab, opts) => this.live.check(lab, opts),
      resetToCheckpoint: (lab, step) => this.resetToCheckpoint(lab, step),
      emit: (event, payload) => this.emit(event, payload),
      readProgress: async (lab) => {
        const rt = await this.runtime();
        const router = (await this.record(lab)).lab.router.name;
        return rt.readFile(lab, router, `${STATE_DIR}/${EXERCISE_PROGRESS}`);
      },
      writeProgress: async (lab, content) => {
        const rt = await this.runtime();
        const router = (await this.record(lab)).lab.router.name;
        await rt.writeFile(lab, {
          container: router,
          dir: STATE_DIR,
          name: EXERCISE_PROGRESS,
          content,
        });
      },
    });
  }

  // ---- plumbing -------------------------------------------------------------------------

  /**
   * The runtime for everything but setup: connects to an engine that answers, never installs
   * or starts one (the watcher, status reads and live features use only this).
   */
  runtime(): Promise<R> {
    return this.runtimeP ?? this.connectWith(() => this.engines.connect());
  }

  /** The runtime for `setup` and `up`, the explicit actions that may install and start an engine. */
  async runtimeForSetup(onProgress?: ProgressFn): Promise<R> {
    for (;;) {
      const pending = this.runtimeP;
      if (!pending) return this.connectWith(() => this.engines.ensure(onProgress));
      const rt = await pending.catch(() => undefined);
      if (rt) return rt;
      // A read found no engine; try again through setup unless another call already does.
      if (this.runtimeP === pending) this.runtimeP = undefined;
    }
  }

  private connectWith(find: () => Promise<Dockerode>): Promise<R> {
    // Without a runtime handed in, R is its default, LabRuntime.
    const p = (async () =>
      new LabRuntime(await find(), {
        residentAgents: this.residentAgents,
      }))() as unknown as Promise<R>;
    this.runtimeP = p;
    p.catch(() => {
      if (this.runtimeP === p) this.runtimeP = undefined;
    });
    return p;
  }

  /**
   * Which engine the labs run on (the search of runtime/engine/finder.ts), or, when none
   * answers, the search's own words: what was tried and what to start. Never installs.
   */
  async engineStatus(): Promise<EngineStatus> {
    try {
      const rt = await this.runtime();
      const docker = (rt as { docker?: unknown }).docker;
      const e = docker ? engineInUse(docker as LabRuntime['docker']) : undefined;
      return { ok: true, engine: e?.description ?? 'a Docker engine', remote: e?.remote ?? false };
    } catch (err) {
      // The engine's own addresses stay: they are what the user acts on (start it, fix it).
      return { ok: false, message: printable((err as Error).message) };
    }
  }

  /** Engine and image, ready: what `egress-lab setup` and the first `up` need. */
  async setup(
    this: LabService<LabRuntime>,
    onProgress?: ProgressFn,
  ): Promise<{ image: string; engine: string }> {
    const rt = await this.runtimeForSetup(onProgress);
    const engine = engineInUse(rt.docker)?.description ?? 'the Docker engine';
    return { image: await ensureImage(rt.docker, onProgress), engine };
  }

  emit<E extends LabApiEventName>(event: E, payload: LabApiEvents[E]): void {
    this.events.emit(event, payload);
  }

  on<E extends LabApiEventName>(
    event: E,
    listener: (payload: LabApiEvents[E]) => void,
  ): () => void {
    this.events.on(event, listener);
    // Someone watches labs (a UI): follow container and BGP state for them.
    if ((event === 'lab:changed' || event === 'lab:event') && !this.watcher) {
      this.watcher = new LabWatcher(this);
      this.watcher.start();
    }
    return () => {
      this.events.off(event, listener);
      const watching =
        this.events.listenerCount('lab:changed') + this.events.listenerCount('lab:event');
      if (this.watcher && watching === 0) {
        this.watcher.stop();
        this.watcher = undefined;
      }
    };
  }

  /** The running lab's record; `name` may be omitted when exactly one lab runs. */
  async record(name?: string): Promise<LabRecord> {
    return this.records.get(name ?? (await this.onlyLab()));
  }

  async onlyLab(): Promise<string> {
    const labs = (await (await this.runtime()).listLabs()).map((l) => l.name);
    if (labs.length === 1) return labs[0]!;
    throw new Error(
      labs.length === 0
        ? 'no lab is running: start one with `egress-lab up FILE`'
        : `several labs run (${labs.join(', ')}): say which with --name`,
    );
  }

  /** Who takes a lab's lock, as another process waiting for it reads it, and how long to wait. */
  private lockOptions(): LockOptions {
    const owner = `pid ${process.pid} on ${hostname()}, since ${new Date().toISOString()}`;
    return { owner, ...(this.lockWaitMs !== undefined ? { waitMs: this.lockWaitMs } : {}) };
  }

  // ---- files and templates (no engine) ----------------------------------------------------

  templates(): Promise<TemplateInfo[]> {
    return listTemplates(this.templatesDir);
  }

  template(id: string): Promise<LabSource> {
    return readTemplate(this.templatesDir, id);
  }

  validate(sources: LabSource[]): ValidationResult {
    return validateToResult(sources);
  }

  /** The same, off this thread for large files (`lab:validate`: see validation.ts). */
  validateAsync(sources: LabSource[]): Promise<ValidationResult> {
    return this.validator.validate(sources);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Starts a lab from files, or converges a running one to them; returns when ready. */
  async up(
    sources: LabSource[],
    opts: { name?: string; onProgress?: ProgressFn } = {},
  ): Promise<LabStatus> {
    // A reproduction bundle brings its lab file, name and addresses (diag/bundle).
    const unbundled = unbundleSources(sources);
    sources = unbundled.sources;
    const lab = loadLab(sources); // bad input: throws before anything touches the engine
    const name = checkLabName(opts.name ?? unbundled.name ?? lab.name);
    const progress: ProgressFn = (step, detail) => {
      opts.onProgress?.(step, detail);
      this.emit('lab:progress', { lab: name, step, ...(detail ? { detail } : {}), done: false });
    };
    try {
      const status = await this.queue.run(name, async () => {
        const rt = await this.runtimeForSetup(progress);
        // A running lab is locked while it converges, so no change from another process
        // saves a record from before this `up` (or applies rules it then overwrites). A new
        // lab has no router to hold a lock yet.
        const held = await this.records.lockIfRunning(name, this.lockOptions());
        try {
          const previous = held ? held.record : await this.records.find(name);
          const pinnedIpam = previous?.ipam ?? unbundled.pinnedIpam;
          const plan = planLab(lab, pinnedIpam ? { pinnedIpam } : {});
          const record: LabRecord = { name, lab, ipam: plan.ipam, sources };
          // The record is saved in the router while the lab is wired and applied; the status
          // is the runtime's own read at the end of `up` (through the new containers' agents).
          const state = await rt.up(plan, { name, onProgress: progress, file: recordFile(record) });
          // `up` applied every container: whatever an interrupted change left is gone.
          await held?.lock.release(true);
          return labStatus({ name, containers: state.containers }, record, plan);
        } catch (e) {
          // A failed `up` may leave some containers on the new plan: the next holder
          // re-applies everything.
          await held?.lock.release(false);
          throw e;
        }
      });
      this.emit('lab:progress', { lab: name, step: 'ready', done: true });
      this.emit('lab:changed', { lab: name, status });
      return status;
    } catch (e) {
      const error = (e as Error).message;
      this.emit('lab:progress', { lab: name, step: 'failed', done: true, error });
      throw e;
    }
  }

  async down(target: string | { all: true }): Promise<number> {
    const rt = await this.runtime();
    return this.downs.run(target, async () => {
      await this.live.stopAll(typeof target === 'string' ? target : undefined);
      const removed = await rt.down(target);
      this.exercises.forget(typeof target === 'string' ? target : undefined);
      if (typeof target === 'string') {
        this.emit('lab:changed', {
          lab: target,
          status: { ...labStatus(undefined, undefined), name: target },
        });
      }
      return removed;
    });
  }

  /**
   * Whether a status of `lab` read since `since` may be stale because the lab was being
   * taken down meanwhile: the watcher must not bring a removed lab back on screen.
   */
  downSince(lab: string, since: number): boolean {
    return this.downs.since(lab, since);
  }

  private async statusOfRecord(record: LabRecord, plan?: LabPlan): Promise<LabStatus> {
    const rt = await this.runtime();
    const [view] = await rt.status(record.name);
    return labStatus(view, record, plan ?? planOf(record));
  }

  async status(name?: string): Promise<LabStatus[]> {
    const rt = await this.runtime();
    const views = await rt.status(name === undefined ? undefined : checkLabName(name));
    return Promise.all(
      views.map(async (v) => {
        const record = await this.records.peek(v.name);
        return labStatus(v, record, record ? planOf(record) : undefined);
      }),
    );
  }

  // ---- changes to a running lab -------------------------------------------------------------

  async pools(lab?: string): Promise<IPPool[]> {
    return (await this.record(lab)).lab.ipPools;
  }

  private async change(
    labName: string | undefined,
    next: (current: Lab) => Lab,
    message: string,
    dryRun = false,
  ): Promise<ChangeResult> {
    const name = labName ?? (await this.onlyLab());
    return this.queue.run(name, async () => {
      // Read, apply and save under the lab's lock (held in its router, across processes):
      // another process's change waits, so the record it reads and saves includes this one,
      // and the rules it applies are its own on top of this change's.
      const { record, lock } = await this.records.lock(name, this.lockOptions());
      let change: PlannedChange;
      let apply: ContainerPlan[];
      try {
        const before = planOf(record);
        change = planChange(record, before, next(record.lab)); // throws on invalid input
        // A holder that never finished (a process killed mid-change, a failed apply) may
        // have left rules the record does not have: every container gets the new plan.
        apply = lock.interrupted ? everyApplied(change.plan) : change.changed;
      } catch (e) {
        await lock.release(lock.interrupted === undefined);
        throw e;
      }
      const warnings = change.diffs.length ? [CONNTRACK_WARNING] : [];
      // Input the lab accepted but does not model: said with the change, never silent.
      const known = new Set((record.lab.warnings ?? []).map(formatProblem));
      for (const w of change.lab.warnings ?? []) {
        const text = formatProblem(w);
        if (!known.has(text)) warnings.push(text);
      }
      if (dryRun) {
        await lock.release(lock.interrupted === undefined);
        return changeResult(message, change, 0, warnings);
      }
      const started = performance.now();
      const rt = await this.runtime();
      try {
        if (apply.length) await rt.applyDataplane(name, apply);
      } catch (e) {
        // Some containers may have the new rules: the next holder re-applies everything.
        await lock.release(false);
        throw e;
      }
      const appliedMs = Math.round(performance.now() - started);
      const updated: LabRecord = { ...record, lab: change.lab, ipam: change.plan.ipam };
      // The wire has changed; the record follows, then the lock is let go, without holding
      // up the caller (this service's next read of the lab waits for both).
      this.records.saveLocked(lock, updated);
      this.emit('lab:event', {
        lab: name,
        kind: 'change',
        message: `${message} (applied in ${appliedMs} ms)`,
        at: Date.now(),
      });
      // The new status reads the engine (~100-200 ms of exec and engine time on a big lab):
      // only for someone listening, or it would slow the next change for nothing.
      if (this.events.listenerCount('lab:changed') > 0)
        void this.statusOfRecord(updated, change.plan)
          .then((status) => this.emit('lab:changed', { lab: name, status }))
          .catch(() => undefined);
      return changeResult(message, change, appliedMs, warnings);
    });
  }

  patchPool(
    lab: string | undefined,
    pool: string,
    patch: unknown,
    dryRun = false,
  ): Promise<ChangeResult> {
    return this.change(
      lab,
      (cur) => patchedLab(cur, pool, patch),
      "Successfully patched 1 'IPPool' resource",
      dryRun,
    );
  }

  apply(lab: string | undefined, sources: LabSource[], dryRun = false): Promise<ChangeResult> {
    let count = 0;
    return this.change(
      lab,
      (cur) => {
        const next = appliedLab(cur, sources);
        count = countResources(sources);
        return next;
      },
      'Successfully applied resources',
      dryRun,
    ).then((r) => ({ ...r, message: `Successfully applied ${count} resource(s)` }));
  }

  /** The lab's policies, network sets and Services, with their documents and summaries. */
  async resources(lab?: string): Promise<ResourceView[]> {
    return resourceViews(planOf(await this.record(lab)));
  }

  /** `patch KIND NAME -p JSON`: a merge patch validated and applied as `apply -f` would. */
  patchResource(
    lab: string | undefined,
    kind: ResourceKind,
    name: string,
    patch: unknown,
    dryRun = false,
  ): Promise<ChangeResult> {
    return this.change(
      lab,
      (cur) => appliedLab(cur, [patchedSource(cur, kind, name, patch)]),
      patchedMessage(kind, name),
      dryRun,
    );
  }

  deletePool(lab: string | undefined, pool: string): Promise<ChangeResult> {
    return this.change(
      lab,
      (cur) => deletedPoolLab(cur, pool),
      "Successfully deleted 1 'IPPool' resource(s)",
    );
  }

  /**
   * calicoctl `delete -f`: these resources leave the running lab together (the "default"
   * BGP and Felix configurations go back to Calico's defaults), previewed with `dryRun`.
   */
  deleteResources(
    lab: string | undefined,
    refs: ResourceRef[],
    dryRun = false,
  ): Promise<ChangeResult> {
    return this.change(
      lab,
      (cur) => deletedResourcesLab(cur, refs),
      `Successfully deleted ${refs.length} resource(s)`,
      dryRun,
    );
  }

  /** Moves a running lab to another Calico version: previewed (dryRun) and applied as a change. */
  setCalicoVersion(
    lab: string | undefined,
    calicoVersion: string,
    dryRun = false,
  ): Promise<ChangeResult> {
    return this.change(
      lab,
      (cur) => labWithCalicoVersion(cur, calicoVersion),
      `Calico version set to ${calicoVersion}`,
      dryRun,
    );
  }

  /**
   * "Reset this step" (issue 18): the lab's Calico resources as exercise step `step` (0-based)
   * starts, from the lab file it was started from, applied as one change.
   */
  async resetToCheckpoint(lab: string, step: number): Promise<ChangeResult> {
    const fileLab = loadLab((await this.record(lab)).sources);
    return this.change(
      lab,
      (cur) => checkpointLab(cur, fileLab, step),
      `Reset to the checkpoint of step ${step + 1}`,
    );
  }

  async explain(
    lab: string | undefined,
    from: string,
    to: string,
    ipVersion?: 4 | 6,
  ): Promise<Explanation> {
    return explain(planOf(await this.record(lab)), from, to, ipVersion ? { ipVersion } : {});
  }

  /** One packet traced by the kernel of the pod's node (diag/trace.ts). */
  async trace(req: TraceRequest): Promise<TraceResult> {
    // One trace of a lab at a time in this process: they share the node's tracing table.
    return this.queue.run(`trace:${req.lab}`, async () =>
      traceProbe(await this.runtime(), await this.record(req.lab), req),
    );
  }

  /** The running lab in one file (diag/bundle.ts). */
  async bundle(lab: string | undefined, opts: BundleOptions = {}): Promise<Bundle> {
    return makeBundle(this, lab ?? (await this.onlyLab()), opts);
  }

  /** A customer's node dumps against the running lab (diag/node-diff.ts). */
  async diffLab(lab: string, node: string, dumps: LabSource[]): Promise<NodeDiffResult> {
    return diffNode(planOf(await this.record(lab)), node, dumps);
  }

  /** The bundle as a file to save (its JSON text). */
  async bundleFile(lab: string, check = false): Promise<LabSource> {
    const b = await this.bundle(lab, check ? { check } : {});
    return { file: `${b.lab}.bundle.json`, text: `${JSON.stringify(b, null, 2)}\n` };
  }

  async source(lab: string): Promise<LabSource> {
    const record = await this.record(lab);
    const first = record.sources[0];
    // The file's name only: a lab started from the CLI may have been given a host path.
    return first
      ? { ...first, file: clientFileName(first.file) }
      : { file: `${lab}.yaml`, text: '' };
  }

  // ---- the transport-neutral form, and the end -----------------------------------------------

  async call<C extends LabApiChannel>(
    channel: C,
    request: LabApiCalls[C]['request'],
  ): Promise<LabApiCalls[C]['response']> {
    const handler = this.handlers[channel] as Handler<C> | undefined;
    if (!handler) throw new Error(`unknown call '${String(channel)}'`);
    return handler(request);
  }

  /** Resolves once every change this service made is recorded on the engine too. */
  async settled(): Promise<void> {
    await this.records.settled();
  }

  async close(): Promise<void> {
    await this.settled();
    this.watcher?.stop();
    this.watcher = undefined;
    await this.live.stopAll();
    await this.validator.close();
    this.events.removeAllListeners();
    // A runtime this service made is this service's to close (its apply agents); one
    // handed in belongs to the caller.
    if (this.ownsRuntime && this.runtimeP)
      await (await this.runtimeP.catch(() => undefined))?.close();
  }
}

function countResources(sources: LabSource[]): number {
  // Documents that name a kind; a cheap count for the message, the loader did the validation.
  return sources.reduce(
    (n, s) =>
      n +
      (s.text.match(
        /^kind:\s*(IPPool|BGPConfiguration|BGPPeer|FelixConfiguration|NetworkPolicy|GlobalNetworkPolicy|NetworkSet|GlobalNetworkSet|Service)\s*$/gm,
      )?.length ?? 0),
    0,
  );
}

export function createLabService<R extends ServiceRuntime = LabRuntime>(
  opts: LabServiceOptions<R> = {},
): LabService<R> {
  return new LabService(opts);
}

export { formatProblem };
