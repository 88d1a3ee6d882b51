// LabRuntime: realizes LabPlans on one Docker engine (local or DOCKER_HOST) through
// its API only. The engine's labels are the only state: a new LabRuntime finds labs
// made by another process, or before a crash.
import type Dockerode from 'dockerode';
import { isIP } from 'node:net';
import type { ContainerPlan, LabPlan } from '../../core/plan/types.js';
import { AgentPool, type ApplyAgent } from '../agent/apply-agent.js';
import { applyAll } from '../agent/apply.js';
import { startCapture, type Capture, type CaptureOptions } from '../capture/capture.js';
import { KeyedQueue, mapLimit } from '../util/concurrency.js';
import { isHelper, listLabContainers, removeContainer } from './queries.js';
import {
  execCollect,
  execStream,
  type ExecOptions,
  type ExecResult,
  type ExecStream,
} from '../engine/exec.js';
import { engineWithDeadlines } from '../engine/bounded.js';
import { ensureImage } from '../image/image.js';
import { LABEL_LAB, LABEL_NAME } from './labels.js';
import { readLabFile, writeLabFile, type LabFile } from './lab-files.js';
import { takeLabLock, type LabLock, type LockOptions } from './lab-lock.js';
import { checkContainerName, checkLabName, dockerName } from './names.js';
import { parseLiveStatus, statusOf, type LiveStatus } from './status.js';
import type {
  ApplyOutcome,
  LabState,
  LabSummary,
  PingResult,
  RuntimeContainerStatus,
} from './types.js';
import { labUp, type UpOptions } from './up.js';
import { checkKernelModules, modulesNeeded } from './kernel-modules.js';

export interface LabRuntimeOptions {
  /** Image tag to use; default: ensureImage() on first use. */
  image?: string;
  concurrency?: number;
  /**
   * Keep an agent running in each container changed (default true): later changes and
   * record reads then cost a few ms instead of an exec or archive call. False for a process
   * that makes one change and exits (the CLI): an agent would only be closed again.
   */
  residentAgents?: boolean;
}

export interface LabStatusView {
  name: string;
  containers: RuntimeContainerStatus[];
}

export class LabRuntime {
  private imageTag: string | undefined;
  /** Whole-lab operations (up, down) run one at a time per lab within this process. */
  private readonly queue = new KeyedQueue();
  private readonly agents: AgentPool;

  /** The engine, every call bounded (engine/bounded.ts): no operation waits on it forever. */
  readonly docker: Dockerode;

  constructor(
    docker: Dockerode,
    private readonly options: LabRuntimeOptions = {},
  ) {
    this.docker = engineWithDeadlines(docker);
    this.imageTag = options.image;
    this.agents = new AgentPool(options.residentAgents ?? true);
  }

  private async image(onProgress?: UpOptions['onProgress']): Promise<string> {
    this.imageTag ??= await ensureImage(this.docker, onProgress);
    return this.imageTag;
  }

  /** Brings a lab up, or converges a partly existing one to the plan. Returns when ready. */
  async up(plan: LabPlan, opts: UpOptions = {}): Promise<LabState> {
    const lab = checkLabName(opts.name ?? plan.lab.name);
    return this.queue.run(lab, async () => {
      const image = await this.image(opts.onProgress);
      // IPIP / WireGuard need kernel modules: refused before anything is created.
      await checkKernelModules(this.docker, image, plan, lab);
      return labUp(this.docker, image, plan, {
        ...opts,
        name: lab,
        concurrency: opts.concurrency ?? this.options.concurrency,
        adoptAgent: (name: string, agent: ApplyAgent) => this.agents.adopt(lab, name, agent),
      });
    });
  }

  /**
   * Applies each container's rendered dataplane (ipsets, nat rules, routes, BIRD),
   * one exec per container, all in parallel. Per container it is all or nothing;
   * throws ApplyError naming each container that refused, and why.
   */
  async applyDataplane(
    name: string,
    containers: readonly ContainerPlan[],
  ): Promise<ApplyOutcome[]> {
    const lab = checkLabName(name);
    // A change that turns IPIP or WireGuard on is refused before any container changes.
    if (modulesNeeded({ containers }).length)
      await checkKernelModules(this.docker, await this.image(), { containers }, lab);
    return applyAll(this.docker, lab, containers, 16, this.agents);
  }

  /**
   * A file of a lab container (the service's lab record), or undefined when missing.
   * Through the container's resident agent if this runtime has one (reads start none:
   * `status` from a CLI would pay an exec for nothing).
   */
  async readFile(lab: string, container: string, path: string): Promise<string | undefined> {
    const name = dockerName(checkLabName(lab), checkContainerName(container));
    const agent = await this.agents.get(this.docker, lab, name, false);
    return readLabFile(this.docker, lab, container, path, agent);
  }

  /**
   * Writes a file into a lab container: through its resident agent, started by the first
   * write (the record is saved after each change, so the next change reads and saves it
   * in a few ms instead of ~40 ms per archive call).
   */
  async writeFile(lab: string, file: LabFile): Promise<void> {
    const name = dockerName(checkLabName(lab), checkContainerName(file.container));
    await writeLabFile(this.docker, lab, file, await this.agents.get(this.docker, lab, name));
  }

  /**
   * Takes the lab's change lock in its router (`router`: lab-local name), through the
   * router's resident agent (one is started and kept if this runtime keeps agents; else one
   * of its own, ended on release). See lab-lock.ts.
   */
  async lockLab(lab: string, router: string, opts: LockOptions): Promise<LabLock> {
    const name = dockerName(checkLabName(lab), checkContainerName(router));
    const resident = this.options.residentAgents ?? true;
    return takeLabLock(this.docker.getContainer(name), lab, {
      ...opts,
      agent: await this.agents.get(this.docker, lab, name, false),
      ...(resident ? { keep: (a: ApplyAgent) => this.agents.adopt(lab, name, a) } : {}),
    });
  }

  /** Ends the resident apply agents this runtime started (they also end with their containers). */
  async close(): Promise<void> {
    await this.agents.close();
  }

  /** Removes everything labelled with the lab (or every lab); idempotent. Returns how many were removed. */
  async down(target: string | { all: true }): Promise<number> {
    const lab = typeof target === 'string' ? checkLabName(target) : undefined;
    const run = async (): Promise<number> => {
      await this.agents.close(lab);
      const infos = await listLabContainers(this.docker, lab);
      await mapLimit(infos, 16, (i) => removeContainer(this.docker, i.Id));
      // The lab's containers; a wiring helper the engine was still removing is not one.
      return infos.filter((i) => !isHelper(i)).length;
    };
    return lab ? this.queue.run(lab, run) : run();
  }

  async listLabs(): Promise<LabSummary[]> {
    const byLab = new Map<string, LabSummary>();
    for (const info of await listLabContainers(this.docker)) {
      const lab = info.Labels?.[LABEL_LAB];
      if (!lab || isHelper(info)) continue;
      const s = byLab.get(lab) ?? { name: lab, containers: 0, running: 0 };
      s.containers++;
      if (info.State === 'running') s.running++;
      byLab.set(lab, s);
    }
    return [...byLab.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Per lab: every container's state, addresses and BGP sessions. Helpers are left out. */
  async status(name?: string): Promise<LabStatusView[]> {
    const infos = (
      await listLabContainers(this.docker, name === undefined ? undefined : checkLabName(name))
    ).filter((i) => !isHelper(i));
    const labs = [...new Set(infos.map((i) => i.Labels?.[LABEL_LAB] ?? ''))].filter(Boolean).sort();
    return Promise.all(
      labs.map(async (lab) => ({
        name: lab,
        containers: await this.statusOfLab(
          lab,
          infos.filter((i) => i.Labels?.[LABEL_LAB] === lab),
        ),
      })),
    );
  }

  /**
   * Containers with a resident agent (nodes and the router once a change went through
   * them) answer the status read through it; the others by exec (~40 ms of runc each).
   * A UI's watcher reads status every few seconds, and after every change.
   */
  private async statusOfLab(lab: string, infos: Dockerode.ContainerInfo[]) {
    const known = new Map<string, LiveStatus>();
    await Promise.all(
      infos.map(async (info) => {
        const name = info.Labels?.[LABEL_NAME];
        if (info.State !== 'running' || !name) return;
        const agent = await this.agents.get(this.docker, lab, dockerName(lab, name), false);
        const r = await agent?.request('status', '', 15_000).catch(() => undefined);
        if (r?.exitCode === 0) known.set(name, parseLiveStatus(r.stdout));
      }),
    );
    return statusOf(this.docker, lab, infos, known);
  }

  private container(lab: string, container: string): Dockerode.Container {
    return this.docker.getContainer(dockerName(checkLabName(lab), checkContainerName(container)));
  }

  /** Runs argv in a lab container to completion. */
  async exec(
    lab: string,
    container: string,
    argv: readonly string[],
    opts?: ExecOptions,
  ): Promise<ExecResult> {
    return execCollect(this.container(lab, container), argv, opts);
  }

  /** Starts a long-running argv; output as events, `kill()` stops it inside the container. */
  execStream(
    lab: string,
    container: string,
    argv: readonly string[],
    opts?: ExecOptions,
  ): ExecStream {
    return execStream(this.container(lab, container), argv, opts);
  }

  /** tcpdump in a container: lines as an async iterable, or raw pcap into a file. */
  capture(lab: string, container: string, opts: CaptureOptions = {}): Capture {
    return startCapture(this.container(lab, container), opts);
  }

  /** Pings an address from a container; counts what came back. */
  async ping(
    lab: string,
    from: string,
    toAddress: string,
    count = 3,
    intervalS = 0.2,
  ): Promise<PingResult> {
    if (!isIP(toAddress)) throw new Error(`ping: "${toAddress}" is not an IP address`);
    if (!Number.isInteger(count) || count < 1 || count > 100_000)
      throw new Error(`ping: bad count ${count}`);
    const r = await this.exec(lab, from, [
      'ping',
      '-n',
      '-c',
      String(count),
      '-i',
      String(intervalS),
      '-W',
      '1',
      toAddress,
    ]);
    const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(r.stdout);
    return {
      transmitted: m ? Number(m[1]) : 0,
      received: m ? Number(m[2]) : 0,
      exitCode: r.exitCode,
      output: r.stdout + r.stderr,
    };
  }
}
