// Stage 1, decide: the lab's containers on the engine (by labels) against the plan.
import type Dockerode from 'dockerode';
import { hostname } from 'node:os';
import { LABEL_OWNER } from '../labels.js';
import { configHash } from '../containers.js';
import { asExisting, isHelper, listLabContainers } from '../queries.js';
import { reconcileContainers } from '../reconcile.js';
import type { UpContext } from './context.js';

/**
 * How long a wiring helper may be at work for its `up`: its wire request is bounded at
 * 5 min, its create and start at 2 min each (engine/deadline.ts), with a margin.
 */
export const HELPER_WORK_S = 10 * 60;

/** Whether the process a helper's owner label names still runs (undefined: cannot tell). */
export function ownerAlive(owner: string | undefined, here = hostname()): boolean | undefined {
  const m = owner ? /^(.*)\/(\d+)$/.exec(owner) : null;
  if (!m || m[1] !== here) return undefined; // another machine's process (DOCKER_HOST)
  try {
    process.kill(Number(m[2]), 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/**
 * Whether a wiring helper may still be another `up`'s (a second process bringing up the
 * same lab): created or running, and its owner process alive — or, when the owner is on
 * another machine (a remote engine) or unnamed, younger than HELPER_WORK_S by the engine's
 * clock. A helper whose `up` died (killed between the helper's create and start, say) goes
 * at once; one whose `up` is gone otherwise ends by itself (its stdin closes with the attach
 * stream, and the engine removes it).
 */
export function helperAtWork(
  info: Dockerode.ContainerInfo,
  nowS = Date.now() / 1000,
  alive: (owner: string | undefined) => boolean | undefined = ownerAlive,
): boolean {
  if (!isHelper(info) || (info.State !== 'created' && info.State !== 'running')) return false;
  const owner = alive(info.Labels?.[LABEL_OWNER]);
  return owner ?? nowS - info.Created < HELPER_WORK_S;
}

export async function decide(ctx: UpContext): Promise<void> {
  const { plan, image } = ctx;
  const existing = (await listLabContainers(ctx.docker, ctx.lab))
    .filter((info) => !helperAtWork(info))
    .map(asExisting);
  const decision = reconcileContainers(
    plan.containers.map((c) => ({ name: c.name, configHash: configHash(c, image) })),
    existing,
  );
  ctx.decision = decision;
  ctx.fresh = new Set([...decision.create, ...decision.replace.map((r) => r.name)]);
  ctx.progress(
    'containers',
    `${decision.keep.length} reused, ${decision.create.length} to create, ${decision.replace.length} to re-create, ${decision.remove.length} to remove`,
  );
}
