// The one script the wiring helper runs for a whole lab (veth pairs straight between the
// containers' namespaces, no Docker network): the steps (steps.ts: what to do, as data, every
// value validated) rendered as the helper's shell (render.ts).
import { renderRoute } from '../../core/dataplane/render-routes.js';
import type { RouteSpec } from '../../core/plan/types.js';
import { renderWiring } from './render.js';
import { wiringSteps, type StepContainer, type WiringLink } from './steps.js';

export { HELPER_PROC, type WiringLink } from './steps.js';

/**
 * A container as `up` hands it over: the steps' container (steps.ts), with its routes as the
 * plan's data (rendered and checked here) instead of `ip -batch` lines.
 */
export type WiringContainer = Omit<StepContainer, 'routes'> & {
  /** Routes right after the interfaces (pods: their whole dataplane, no exec needed). */
  routes?: readonly RouteSpec[];
};

const ROUTE_LINE = /^route (replace|add|append) [A-Za-z0-9.:/ _-]+$/;

/** The routes as `ip -batch` lines (the core's renderer), each checked: they go into a here-document. */
export function routeLines(routes: readonly RouteSpec[], where: string): string[] {
  return routes.map((r) => {
    const l = renderRoute(r);
    if (!ROUTE_LINE.test(l))
      throw new Error(`${where}: route line "${l}" is not a plain ip route command`);
    return l;
  });
}

export function wiringScript(
  containers: readonly WiringContainer[],
  links: readonly WiringLink[],
): string {
  return renderWiring(
    wiringSteps(
      containers.map(({ routes, ...c }) => ({
        ...c,
        ...(routes?.length ? { routes: routeLines(routes, c.name) } : {}),
      })),
      links,
    ),
  );
}
