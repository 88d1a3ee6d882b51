// The new containers' boot agents after the stages: adopted by whoever keeps them (the
// runtime's pool), the rest closed, which lets their loops end in `sleep infinity`.
import { dockerName } from '../names.js';
import type { UpContext } from './context.js';

/** Stage 6, adopt: the agents that later changes go to stay, if someone keeps them. */
export function adoptAgents(ctx: UpContext): void {
  const { opts, agents } = ctx;
  if (!opts.adoptAgent) return;
  for (const c of ctx.plan.containers) {
    const agent = agents.get(c.name);
    if (!agent?.alive || ctx.routesOnly.has(c.name)) continue;
    opts.adoptAgent(dockerName(ctx.lab, c.name), agent);
    agents.delete(c.name);
  }
}

/** Closes the agents nobody adopted (every one when `up` failed). */
export function closeAgents(ctx: UpContext): void {
  for (const a of ctx.agents.values()) a.close();
}
