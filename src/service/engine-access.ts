// The two ways the service reaches a Docker engine. Reading (status, the watcher, live
// features, down) only connects to an engine that already answers; only the explicit
// setup path (`setup`, `up`) may install or start one (ensureEngine: apt-get and dockerd as
// root on Debian). Opening the UI must never do that, so the watcher and every status read
// get the connecting path and nothing else.
import type Dockerode from 'dockerode';
import { ensureEngine } from '../runtime/engine/engine.js';
import { noProgress, type ProgressFn } from '../runtime/util/progress.js';

export interface EngineFinder {
  /** An engine that answers now; otherwise throws what was tried and what to start. Never installs. */
  connect(): Promise<Dockerode>;
  /** An engine, installed and started first when this process may (explicit user actions only). */
  ensure(onProgress?: ProgressFn): Promise<Dockerode>;
}

export const dockerEngines: EngineFinder = {
  // The same search as setup's (DOCKER_HOST, the Docker context, Docker Desktop, Podman, …:
  // runtime/engine/finder.ts), but nothing is installed or started when none answers.
  connect: () => ensureEngine(noProgress, { mayStart: false }),
  ensure: (onProgress) => ensureEngine(onProgress),
};
