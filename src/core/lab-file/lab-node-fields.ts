// Fields of the router and nodes checked the same way on a single fabric (lab-network.ts) and
// on racks (lab-racks.ts).
import { parseASNumber } from '../calico/bgp.js';
import type { FieldPath } from '../calico/field-error.js';
import { labelValueProblems, qualifiedNameProblems } from '../calico/names.js';
import { HOSTNAME_LABEL } from '../calico/pool-choice.js';
import type { LabContext } from './lab-context.js';

export const DEFAULT_ROUTER_AS = 64500;

/** The router's AS number from the file, or the default. */
export function routerAsNumber(ctx: LabContext): number {
  const { spec } = ctx;
  if (spec.router?.asNumber === undefined) return DEFAULT_ROUTER_AS;
  const n = parseASNumber(spec.router.asNumber);
  if (n === undefined || n === 0) {
    ctx.problem(
      ['spec', 'router', 'asNumber'],
      `asNumber must be an AS number (1-4294967295), got ${JSON.stringify(spec.router.asNumber)}`,
    );
    return DEFAULT_ROUTER_AS;
  }
  return n;
}

/** A node's labels, checked as Kubernetes does, with kubernetes.io/hostname set to its name. */
export function nodeLabels(
  ctx: LabContext,
  n: { name: string; labels?: Record<string, string> },
  path: FieldPath,
): Record<string, string> {
  const P = ctx.problem;
  const labels = { ...(n.labels ?? {}) };
  for (const [k, v] of Object.entries(labels)) {
    for (const p of qualifiedNameProblems(k))
      P([...path, 'labels', k], `label key ${JSON.stringify(k)}: ${p}`, 'key');
    for (const p of labelValueProblems(v))
      P([...path, 'labels', k], `label value ${JSON.stringify(v)}: ${p}`);
  }
  if (labels[HOSTNAME_LABEL] !== undefined && labels[HOSTNAME_LABEL] !== n.name) {
    P(
      [...path, 'labels', HOSTNAME_LABEL],
      `label ${HOSTNAME_LABEL} is always the node's name (${n.name})`,
    );
  }
  labels[HOSTNAME_LABEL] = n.name;
  return labels;
}
