// Stage 1, decide: the lab's containers on the engine (by labels) against the plan.
import { configHash } from '../containers.js';
import { asExisting, listLabContainers } from '../queries.js';
import { reconcileContainers } from '../reconcile.js';
import type { UpContext } from './context.js';

export async function decide(ctx: UpContext): Promise<void> {
  const { plan, image } = ctx;
  const existing = (await listLabContainers(ctx.docker, ctx.lab)).map(asExisting);
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
