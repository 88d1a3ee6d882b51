// Which pools IPAM tries for a pod, and in which order. The choice itself (annotation,
// nodeSelector, enabled, Workload use, Manual) is Calico's rule, implemented once in
// calico/pool-choice.ts and shared with the lab file's checks; this adds IPAM's order.
import { choosePools, nodeSelectorLabels } from '../calico/pool-choice.js';
import { matchesSelector } from '../calico/selector.js';
import type { IPPool } from '../model/calico.js';
import type { LabNode, LabPod } from '../model/lab.js';

export {
  IPV4POOLS_ANNOTATION as IPV4_POOLS_ANNOTATION,
  nodeSelectorLabels,
} from '../calico/pool-choice.js';

/** A pod IPAM cannot serve; `field` is relative to the pod (e.g. "annotations"). */
export class PoolChoiceError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'PoolChoiceError';
  }
}

export function poolSelectsNode(pool: IPPool, node: LabNode): boolean {
  return matchesSelector(pool.spec.nodeSelector || 'all()', nodeSelectorLabels(node));
}

const byName = (a: IPPool, b: IPPool): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Pools a pod on `node` may use, in the order IPAM tries them when it claims a new block:
 * the annotation's order when the pod names pools; otherwise sorted by name, the order the
 * Kubernetes datastore lists them in (GetEnabledPools), which Calico keeps.
 */
export function candidatePools(pod: LabPod, node: LabNode, pools: IPPool[]): IPPool[] {
  const choice = choosePools(pools, pod, node);
  if (!choice.ok)
    throw new PoolChoiceError(choice.error, choice.byAnnotation ? 'annotations' : undefined);
  return choice.byAnnotation ? choice.pools : [...choice.pools].sort(byName);
}

/** The pools a pod's ipv4pools annotation names, in its order; undefined without one. */
export function requestedPools(pod: LabPod, pools: IPPool[]): IPPool[] | undefined {
  if (pod.annotations['cni.projectcalico.org/ipv4pools'] === undefined) return undefined;
  const choice = choosePools(pools, pod, { name: '', labels: {} });
  if (!choice.ok) throw new PoolChoiceError(choice.error, 'annotations');
  return choice.pools;
}
