// Stage 4, apply: the dataplane everywhere. New containers' applies went in as they
// started (start.ts) and the helper enabled their sessions; the others converge to the
// plan (full) by exec. Pods' routes came with the wiring.
import { ApplyError, applyOne } from '../../agent/apply.js';
import { mapLimit } from '../../util/concurrency.js';
import { lap, type UpContext } from './context.js';

export async function applyDataplane(ctx: UpContext): Promise<void> {
  const { docker, lab } = ctx;
  const execApplied = ctx.plan.containers.filter((c) => !ctx.routesOnly.has(c.name));
  ctx.progress('dataplane', `applying on ${execApplied.length} containers`);
  const outcomes = await mapLimit(
    execApplied,
    16,
    (c) => ctx.early.get(c.name) ?? applyOne(docker, lab, c, { full: true }),
  );
  if (outcomes.some((o) => !o.ok)) throw new ApplyError(outcomes);
  lap(ctx, 'dataplane');
}
