// What the service's parts see of the service: the live features and the watcher get these
// narrow views, not the LabService itself, so they import nothing of it and can be driven
// by anything that provides them.
import type { LabApiEventName, LabApiEvents, LabSource, LabStatus } from './api.js';
import type { LabRecord } from './lab-record.js';
import type { ServiceRuntime } from './service-runtime.js';
import type { ProgressFn } from '../runtime/util/progress.js';

/** Pushes an event to whoever listens to the service. */
export type EmitFn = <E extends LabApiEventName>(event: E, payload: LabApiEvents[E]) => void;

/** What captures, traffic, conntrack and `check` use. */
export interface LiveContext {
  runtime(): Promise<ServiceRuntime>;
  /** The running lab's record; throws naming the running labs when there is none. */
  record(lab: string): Promise<LabRecord>;
  emit: EmitFn;
  /** Starts a lab (check does, when its lab does not run). */
  up(sources: LabSource[], opts: { name?: string; onProgress?: ProgressFn }): Promise<LabStatus>;
}

/** What the watcher uses: the engine's events, statuses, and whether a lab is being removed. */
export interface WatchContext {
  runtime(): Promise<ServiceRuntime>;
  status(): Promise<LabStatus[]>;
  /** Whether a status of `lab` read since `since` may predate its removal. */
  downSince(lab: string, since: number): boolean;
  emit: EmitFn;
}
