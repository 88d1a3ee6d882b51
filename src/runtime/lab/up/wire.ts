// Stage 3, wire: every link of the lab in one script, one request to the wiring helper
// (veths, addresses, bridges, sysctls, the routes of new containers and pods, then the new
// BIRDs' sessions enabled).
import { renderBirdConfig } from '../../../core/plan/render-container.js';
import { ApplyError } from '../../agent/apply.js';
import { wiringScript, type WiringLink } from '../../wiring/wiring-script.js';
import { lap, type UpContext } from './context.js';

export async function wire(ctx: UpContext): Promise<void> {
  const { plan, fresh, agents } = ctx;
  const links: WiringLink[] = plan.links.map((link) => {
    const newA = fresh.has(link.a.container);
    const newB = fresh.has(link.b.container);
    const stale: ('a' | 'b')[] = newA === newB ? [] : newA ? ['b'] : ['a'];
    return { link, verify: !newA && !newB, stale };
  });
  const script = wiringScript(
    plan.containers.map((c) => {
      const bird = agents.has(c.name) ? renderBirdConfig(c) : undefined;
      return {
        name: c.name,
        pid: ctx.pids.get(c.name) ?? 0,
        id: ctx.ids.get(c.name) ?? '',
        bridges: c.bridges,
        interfaces: c.interfaces,
        // Routes of new containers (their dataplane went in without them) and of pods.
        ...(ctx.routesOnly.has(c.name) || agents.has(c.name) ? { routes: c.routes } : {}),
        fresh: fresh.has(c.name),
        // New BIRDs run with their sessions disabled until the links are there.
        ...(bird !== undefined ? { bird } : {}),
      };
    }),
    links,
  );
  const helper = await ctx.helper.started;
  if (!helper) throw new Error('the wiring helper did not start: no lab container runs');
  lap(ctx, 'helper');
  ctx.progress(
    'wiring',
    `${links.filter((l) => !l.verify).length} links to create, ${links.filter((l) => l.verify).length} to check`,
  );
  const w = await helper.agent.request('wire', script, 300_000);
  // It has answered and exits: the engine removes it (AutoRemove) while the lab gets
  // ready; `up` does not wait for that (~30 ms of container teardown). A leftover (engine
  // restarted meanwhile) is removed by the next `up` or `down`, as any helper.
  helper.agent.close();
  if (w.exitCode !== 0) {
    // A new container's own apply failing is the cause to report (its BIRD never started).
    const failed = (await Promise.all(ctx.early.values())).filter((o) => !o.ok);
    if (failed.length) throw new ApplyError(failed);
    throw new Error(`wiring failed: ${w.stderr.trim() || w.stdout.trim()}`);
  }
  ctx.linksRepaired = w.stdout.split('\n').filter((l) => l.startsWith('relinked ')).length;
  lap(ctx, 'wiring');
}
