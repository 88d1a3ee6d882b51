// Stage 2, start: removes what the plan dropped, checks what is kept, creates and starts
// the rest, each new one attached to its boot agent; the wiring helper starts alongside.
import { BOOT_CMD } from '../../agent/apply-agent.js';
import { applyOne } from '../../agent/apply.js';
import { mapLimit } from '../../util/concurrency.js';
import { labContainerCreateOptions } from '../containers.js';
import { writeLabFile } from '../lab-files.js';
import { removeContainer } from '../queries.js';
import { lap, type UpContext } from './context.js';
import { createAndStart } from './create.js';

export async function startContainers(ctx: UpContext): Promise<void> {
  const { docker, lab, image, plan, opts, decision, fresh, limit } = ctx;
  await mapLimit(decision.remove, limit, (id) => removeContainer(docker, id));
  const replaceId = new Map(decision.replace.map((r) => [r.name, r.id]));
  const planByName = new Map(plan.containers.map((c) => [c.name, c]));
  let started = 0;
  const keepPids = mapLimit(decision.keep, limit, async ({ name, id }) => {
    const info = await docker.getContainer(id).inspect();
    if (!info.State.Running) throw new Error(`${name} stopped while the lab came up; run up again`);
    ctx.pids.set(name, info.State.Pid);
    ctx.ids.set(name, id);
    ctx.helper.owner(id);
  });
  keepPids.catch(() => undefined);
  await mapLimit([...fresh], limit, async (name) => {
    const id = replaceId.get(name);
    if (id) await removeContainer(docker, id);
    const c = planByName.get(name)!;
    const created = await createAndStart(
      docker,
      labContainerCreateOptions(lab, c, image, ctx.nodeOfPod.get(name), BOOT_CMD),
      true,
    );
    ctx.agents.set(name, created.agent);
    ctx.ids.set(name, created.container.id);
    // The dataplane goes in at once (rules, sets, services, BIRD with its sessions
    // disabled: none needs the links), while the other containers start; the helper adds
    // the routes with the links, then the sessions are enabled (the wiring script).
    if (!ctx.routesOnly.has(c.name))
      ctx.early.set(
        name,
        applyOne(docker, lab, c, {
          agents: created.agent,
          full: true,
          fresh: true,
          skipRoutes: true,
          birdSessionsDisabled: true,
        }),
      );
    if (opts.file?.container === name) {
      ctx.sideWork = writeLabFile(docker, lab, opts.file, created.agent);
      ctx.sideWork.catch(() => undefined);
    }
    const info = await created.container.inspect();
    ctx.pids.set(name, info.State.Pid);
    ctx.helper.owner(created.container.id);
    ctx.progress('containers', `started ${name} (${++started}/${fresh.size})`);
  });
  await keepPids;
  lap(ctx, 'containers');
  if (opts.file && !ctx.sideWork) {
    ctx.sideWork = writeLabFile(docker, lab, opts.file);
    ctx.sideWork.catch(() => undefined);
  }
}
