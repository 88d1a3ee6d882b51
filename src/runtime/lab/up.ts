// `up`: make the engine match a LabPlan. Reuse what is running with the same config,
// re-create what changed or died, remove what the plan dropped; wire every link in one
// helper run; apply the dataplane everywhere; wait for BGP. New containers start as an
// agent loop on their attach stream (BOOT_CMD), and so does the helper: a new lab is
// wired, applied, waited for and read without one exec (an exec costs ~40 ms of runc here).
// The stages, in order, each in up/ over one context (up/context.ts): decide, start,
// wire, apply, await BGP, adopt, status.
import type Dockerode from 'dockerode';
import { expectedSessions } from '../../core/plan/bgp-routes.js';
import type { ContainerPlan, LabPlan } from '../../core/plan/types.js';
import type { BgpWaitList } from './status.js';
import type { LabState } from './types.js';
import { adoptAgents, closeAgents } from './up/agents.js';
import { awaitBgp, bootReady } from './up/bgp.js';
import { upContext, type UpOptions } from './up/context.js';
import { applyDataplane } from './up/dataplane.js';
import { decide } from './up/decide.js';
import { labState } from './up/result.js';
import { startContainers } from './up/start.js';
import { wire } from './up/wire.js';

export type { UpOptions } from './up/context.js';

/**
 * The sessions `up` waits for: those the core expects to establish (a BGPPeer at an
 * address nobody answers on stays Active forever, as with Calico).
 */
export function bgpWaitList(plan: LabPlan): BgpWaitList {
  const out: BgpWaitList = new Map();
  for (const s of expectedSessions(plan)) {
    if (!s.expectUp) continue;
    out.set(s.container, [...(out.get(s.container) ?? []), s.protocol]);
  }
  return out;
}

/** A container whose whole dataplane is routes (pods): the wiring helper applies them, no exec. */
export function routesOnly(c: ContainerPlan): boolean {
  return !c.dataplane && !c.routerBgp && !c.torBgp && c.services.length === 0 && !c.egress;
}

export async function labUp(
  docker: Dockerode,
  image: string,
  plan: LabPlan,
  opts: UpOptions = {},
): Promise<LabState> {
  const ctx = upContext(docker, image, plan, opts, { routesOnly, bgpWaitList });

  try {
    await decide(ctx);
  } catch (e) {
    await ctx.helper.remove();
    throw e;
  }

  try {
    await startContainers(ctx); // the wiring helper starts alongside
    await wire(ctx);
  } catch (e) {
    closeAgents(ctx);
    await ctx.helper.remove();
    await ctx.sideWork?.catch(() => undefined);
    throw e;
  }

  try {
    // The new containers wait for BGP inside themselves while the dataplane goes in.
    const ready = bootReady(ctx);
    ready.catch(() => undefined);
    await applyDataplane(ctx);
    await awaitBgp(ctx, ready);
    adoptAgents(ctx);
  } finally {
    closeAgents(ctx);
    await ctx.sideWork?.catch(() => undefined);
  }
  await ctx.sideWork;

  return labState(ctx);
}
