// Stage 7, status: the lab as `up` leaves it (the live views the agents already read, the
// rest by exec), and what `up` did.
import type Dockerode from 'dockerode';
import { labContainerCreateOptions } from '../containers.js';
import { statusOf } from '../status.js';
import type { LabState } from '../types.js';
import { lap, type UpContext } from './context.js';

/**
 * The engine's list rows of the lab's containers as `up` leaves them (each created or
 * found running by this call): the final status needs no listing call.
 */
function runningRows(ctx: UpContext): Dockerode.ContainerInfo[] {
  return ctx.plan.containers.map((c) => {
    const o = labContainerCreateOptions(ctx.lab, c, ctx.image, ctx.nodeOfPod.get(c.name));
    return {
      Id: ctx.ids.get(c.name) ?? '',
      Names: [`/${o.name!}`],
      Labels: o.Labels ?? {},
      State: 'running',
    } as Dockerode.ContainerInfo;
  });
}

export async function labState(ctx: UpContext): Promise<LabState> {
  const { lab, plan, decision, fresh, timings } = ctx;
  const containers = ctx.opts.skipStatus
    ? []
    : await statusOf(ctx.docker, lab, runningRows(ctx), ctx.known);
  lap(ctx, 'status');
  timings.total = Math.round(performance.now() - ctx.t0);
  ctx.progress('ready', `${lab} is up (${timings.total} ms)`);
  return {
    name: lab,
    containers,
    actions: {
      created: decision.create,
      reused: decision.keep.map((k) => k.name),
      recreated: decision.replace.map((r) => r.name),
      removed: decision.remove.length + decision.replace.length,
      linksCreated: plan.links.filter((l) => fresh.has(l.a.container) || fresh.has(l.b.container))
        .length,
      linksRepaired: ctx.linksRepaired,
      linksChecked: plan.links.filter((l) => !fresh.has(l.a.container) && !fresh.has(l.b.container))
        .length,
    },
    timingsMs: timings,
  };
}
