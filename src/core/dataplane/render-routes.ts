// Routes -> input of `ip -batch -`. `route replace` makes every line idempotent: applying the
// same text twice leaves one route each, and a changed next hop replaces the old one.
import type { RouteSpec } from './types.js';

export function renderRoute(r: RouteSpec): string {
  const parts = ['route', 'replace'];
  if (r.type === 'blackhole') parts.push('blackhole');
  if (r.type === 'throw') parts.push('throw');
  parts.push(r.dst);
  if (r.via) parts.push('via', r.via);
  if (r.dev) parts.push('dev', r.dev);
  if (r.scope) parts.push('scope', r.scope);
  if (r.src) parts.push('src', r.src);
  if (r.onlink) parts.push('onlink');
  if (r.table !== undefined) parts.push('table', String(r.table));
  return parts.join(' ');
}

export function renderRoutes(routes: RouteSpec[]): string {
  return routes.length ? `${routes.map(renderRoute).join('\n')}\n` : '';
}
