// The part of the runtime the service uses, as a type: LabRuntime (Docker) satisfies it, and
// so does a stand-in that simulates a lab in memory (test/support/fake-runtime.ts), which lets
// the service, its live features and the UI on top run without an engine.
import type Dockerode from 'dockerode';
import type { LabPlan, ContainerPlan } from '../core/plan/types.js';
import type { ExecOptions, ExecResult, ExecStream } from '../runtime/engine/exec.js';
import type { LabFile } from '../runtime/lab/lab-files.js';
import type { LabLock, LockOptions } from '../runtime/lab/lab-lock.js';
import type { LabStatusView } from '../runtime/lab/lab-runtime.js';
import type { LabSummary, RuntimeContainerStatus } from '../runtime/lab/types.js';
import type { ProgressFn } from '../runtime/util/progress.js';

/** What a container listing must say: its state and labels (lab, lab-local name, role). */
export interface ContainerListing {
  State: string;
  Labels: Record<string, string>;
}

/** The two engine queries the service makes itself: the record's router, and container events. */
export interface EngineQueries {
  listContainers(options?: Dockerode.ContainerListOptions): Promise<ContainerListing[]>;
  /** Docker's event stream: one JSON object per line. */
  getEvents(options?: Dockerode.GetEventsOptions): Promise<NodeJS.ReadableStream>;
}

export interface ServiceRuntime {
  readonly docker: EngineQueries;
  up(
    plan: LabPlan,
    opts: { name: string; onProgress?: ProgressFn; file?: LabFile },
  ): Promise<{ containers: RuntimeContainerStatus[] }>;
  /** Applies the changed containers' dataplanes; all or nothing per container. */
  applyDataplane(name: string, containers: readonly ContainerPlan[]): Promise<unknown>;
  down(target: string | { all: true }): Promise<number>;
  listLabs(): Promise<LabSummary[]>;
  status(name?: string): Promise<LabStatusView[]>;
  readFile(lab: string, container: string, path: string): Promise<string | undefined>;
  writeFile(lab: string, file: LabFile): Promise<void>;
  /**
   * The lab's change lock, held in its router (lab-local name `router`) across processes;
   * waits while another holds it, then throws LabBusyError.
   */
  lockLab(lab: string, router: string, opts: LockOptions): Promise<LabLock>;
  exec(
    lab: string,
    container: string,
    argv: readonly string[],
    opts?: ExecOptions,
  ): Promise<ExecResult>;
  execStream(
    lab: string,
    container: string,
    argv: readonly string[],
    opts?: ExecOptions,
  ): ExecStream;
  close(): Promise<void>;
}

/** Running commands in lab containers: all that captures and traffic generators need. */
export type ExecRuntime = Pick<ServiceRuntime, 'exec' | 'execStream'>;
