// Import step: the pods, one per pool that serves workloads, pinned to it with the
// cni.projectcalico.org/ipv4pools annotation on the node placePoolPods chose.
import { IPV4POOLS_ANNOTATION } from '../calico/pool-choice.js';
import { uniqueName, type ImportContext } from './context.js';
import { dnsLabel } from './dns-label.js';

export function addPods(ctx: ImportContext): void {
  for (const { pool, node } of ctx.podPlan) {
    ctx.pods.push({
      name: uniqueName(ctx, `pod-${dnsLabel(pool.name)}`),
      node,
      annotations: { [IPV4POOLS_ANNOTATION]: JSON.stringify([pool.name]) },
    });
  }
}
