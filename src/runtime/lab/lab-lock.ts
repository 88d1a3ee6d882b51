// The lab's change lock: one change (read the record, apply, save it) at a time per lab,
// whichever process makes it (the CLI, `serve`, the app), wherever the engine is. It lives
// with the lab: an flock in the router held by an agent loop there (agent.sh `lock` and
// `unlock`), so a process that dies while holding it lets go with its exec's stream, and a
// lab taken down takes its lock along. The record is read and written through the same
// agent: no archive call, and no write once the lock is lost.
import type Dockerode from 'dockerode';
import { ApplyAgent } from '../agent/apply-agent.js';
import { buildTar } from '../engine/tar.js';
import { labFilePath, type LabFile } from './lab-files.js';

export interface LabLock {
  /**
   * Who held the lock last without finishing (ended mid-change, or a change failed half
   * applied): the dataplane may differ from the record, so re-apply everything.
   */
  readonly interrupted: string | undefined;
  /** A file in the router, through the lock's agent; undefined when there is none. */
  readFile(path: string): Promise<string | undefined>;
  /** Writes a file in the router; fails once the lock is lost (the agent ended). */
  writeFile(file: LabFile): Promise<void>;
  /** Lets go; `finished: false` leaves the mark that makes the next holder re-apply everything. */
  release(finished?: boolean): Promise<void>;
}

/** Another process holds the lab's lock past the wait. */
export class LabBusyError extends Error {
  constructor(
    readonly lab: string,
    readonly holder: string,
  ) {
    super(
      `another process is changing lab ${lab} (${holder || 'holder unknown'}); try again once it is done`,
    );
    this.name = 'LabBusyError';
  }
}

export interface LockOptions {
  /** Who takes it, as others will read it: "pid N on HOST, since TIME". */
  owner: string;
  /** How long to wait for another holder (default 30 s). */
  waitMs?: number;
}

/** Exit code of `lock` when someone else holds it (agent.sh). */
const BUSY = 45;
/** The agent's own wait per `lock` request is 1 s: its answer comes within this. */
const LOCK_REQUEST_MS = 10_000;

/**
 * Takes the lock through `agent` (the router's resident agent), or an agent of its own
 * started by exec and ended on release (`keep` receives it instead when the caller keeps
 * agents). Waits while another process holds it, up to `waitMs`.
 */
export async function takeLabLock(
  router: Dockerode.Container,
  lab: string,
  opts: LockOptions & { agent?: ApplyAgent; keep?: (agent: ApplyAgent) => void },
): Promise<LabLock> {
  let agent = opts.agent?.alive ? opts.agent : undefined;
  let own = false;
  if (!agent) {
    agent = await ApplyAgent.start(router);
    if (opts.keep) opts.keep(agent);
    else own = true;
  }
  const a = agent;
  const deadline = Date.now() + (opts.waitMs ?? 30_000);
  for (;;) {
    const r = await a.request('lock', opts.owner, LOCK_REQUEST_MS).catch((e: Error) => {
      if (own) a.close();
      throw new Error(`could not lock lab ${lab}: ${e.message}`, { cause: e });
    });
    if (r.exitCode === 0) return heldLock(a, own, r.stdout.trim() || undefined);
    const holder = r.stderr.trim();
    if (r.exitCode !== BUSY || Date.now() >= deadline) {
      if (own) a.close();
      if (r.exitCode === BUSY) throw new LabBusyError(lab, holder);
      throw new Error(`could not lock lab ${lab}: ${holder || `exit ${r.exitCode}`}`);
    }
  }
}

function heldLock(agent: ApplyAgent, own: boolean, interrupted: string | undefined): LabLock {
  const lost = (): Error => new Error("the lab's lock was lost: its router's agent ended");
  return {
    interrupted,
    async readFile(path) {
      const slash = path.lastIndexOf('/');
      labFilePath(path.slice(0, slash), path.slice(slash + 1));
      const r = await agent.request('get', path, 30_000);
      if (r.exitCode === 44) return undefined; // the agent's "no such file"
      if (r.exitCode !== 0) throw new Error(`could not read ${path}: ${r.stderr.trim()}`);
      return r.stdout;
    },
    async writeFile(file) {
      const where = labFilePath(file.dir, file.name);
      if (!agent.alive) throw lost();
      const tar = buildTar([{ name: where.slice(1), content: file.content }]);
      const r = await agent.request('put', tar, 30_000);
      if (r.exitCode !== 0)
        throw new Error(`could not write ${where}: ${(r.stderr || r.stdout).trim()}`);
    },
    async release(finished = true) {
      // A dead agent has let go already (its loop ended with its stream).
      if (agent.alive)
        await agent.request('unlock', finished ? '' : 'keep', 10_000).catch(() => undefined);
      if (own) agent.close();
    },
  };
}
