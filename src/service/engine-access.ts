// The two ways the service reaches a Docker engine. Reading (status, the watcher, live
// features, down) only connects to an engine that already answers; only the explicit
// setup path (`setup`, `up`) may install or start one (ensureEngine: apt-get and dockerd as
// root on Debian). Opening the UI must never do that, so the watcher and every status read
// get the connecting path and nothing else.
import Dockerode from 'dockerode';
import { engineTarget, ensureEngine } from '../runtime/engine/engine.js';
import { withTimeout } from '../runtime/util/concurrency.js';
import type { ProgressFn } from '../runtime/util/progress.js';

export interface EngineFinder {
  /** An engine that answers now; throws "no Docker engine answers …" otherwise. Never installs. */
  connect(): Promise<Dockerode>;
  /** An engine, installed and started first when this process may (explicit user actions only). */
  ensure(onProgress?: ProgressFn): Promise<Dockerode>;
}

export const dockerEngines: EngineFinder = {
  async connect() {
    const target = engineTarget();
    const docker = new Dockerode(target.options);
    try {
      await withTimeout(docker.ping(), target.remote ? 15_000 : 5_000, 'ping timed out');
    } catch {
      throw new Error(
        `no Docker engine answers (${target.description}): start one, or run \`egress-lab setup\``,
      );
    }
    return docker;
  },
  ensure: (onProgress) => ensureEngine(onProgress),
};
