// Stage 1, decide: the lab's containers on the engine (by labels) against the plan.
import type Dockerode from 'dockerode';
import { configHash } from '../containers.js';
import { asExisting, isHelper, listLabContainers } from '../queries.js';
import { reconcileContainers } from '../reconcile.js';
import type { UpContext } from './context.js';

/**
 * How long a wiring helper may be at work for its `up`: its wire request is bounded at
 * 5 min, its create and start at 2 min each (engine/deadline.ts), with a margin.
 */
export const HELPER_WORK_S = 10 * 60;

/**
 * Whether a wiring helper may still be another `up`'s (a second process bringing up the
 * same lab): created or running, and younger than HELPER_WORK_S by the engine's clock. A
 * helper whose `up` is gone ends by itself (its stdin closes with the attach stream, and
 * the engine removes it), so the leftovers to remove are the ones stopped or far too old
 * (the engine restarted under them, or their `up` hung). The engine's clock and this
 * machine's may differ (DOCKER_HOST): minutes of skew only move when a stuck one goes.
 */
export function helperAtWork(info: Dockerode.ContainerInfo, nowS = Date.now() / 1000): boolean {
  return (
    isHelper(info) &&
    (info.State === 'created' || info.State === 'running') &&
    nowS - info.Created < HELPER_WORK_S
  );
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
