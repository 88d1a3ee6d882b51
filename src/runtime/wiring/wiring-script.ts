// The one script the wiring helper runs for a whole lab (veth pairs straight between the
// containers' namespaces, no Docker network): the steps (steps.ts: what to do, as data, every
// value validated) rendered as the helper's shell (render.ts).
import { renderRoute } from '../../core/dataplane/render-routes.js';
import type { BridgeSpec, InterfaceSpec, RouteSpec } from '../../core/plan/types.js';
import { renderWiring } from './render.js';
import { wiringSteps, type WiringLink } from './steps.js';

export { HELPER_PROC, type WiringLink } from './steps.js';

export interface WiringContainer {
  name: string; // lab-local, for messages
  pid: number; // host PID of the container's init (inspect State.Pid)
  /** The engine's container ID, 64 hex digits: the helper checks `pid` is still this container's. */
  id: string;
  bridges: readonly BridgeSpec[];
  interfaces: readonly InterfaceSpec[];
  /**
   * Routes to apply right after the interfaces (containers whose whole dataplane is routes,
   * e.g. pods: no exec needed for them), rendered by the core's `ip -batch` renderer.
   */
  routes?: readonly RouteSpec[];
  /**
   * A new container's BIRD config: BIRD started with its sessions disabled (the core renders it so);
   * once the links are up the helper puts this config in /etc/bird/bird.conf and enables
   * every session, through the container's root and BIRD's control socket.
   */
  bird?: string;
  /** Created by this `up`: nothing in it to check first (a bridge is added, not looked up). */
  fresh?: boolean;
}

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
