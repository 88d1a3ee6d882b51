// Which pools a pod may draw from (libcalico-go/lib/ipam/ipam.go determinePools and
// prepareAffinityBlocksForHost, cni-plugin's ipv4pools annotation handling).
import { matchesSelector } from '../calico/selector.js';
import type { IPPool } from '../model/calico.js';
import type { LabNode, LabPod } from '../model/lab.js';
import { isIPv4 } from './cidr.js';

export const IPV4_POOLS_ANNOTATION = 'cni.projectcalico.org/ipv4pools';

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

/** Labels a pool's nodeSelector sees: the node's own plus Kubernetes' hostname label. */
export function nodeSelectorLabels(node: LabNode): Record<string, string> {
  return { ...node.labels, 'kubernetes.io/hostname': node.name };
}

export function poolSelectsNode(pool: IPPool, node: LabNode): boolean {
  return matchesSelector(pool.spec.nodeSelector || 'all()', nodeSelectorLabels(node));
}

function isV4Pool(p: IPPool): boolean {
  return !p.spec.cidr.includes(':');
}

/**
 * The pod's ipv4pools annotation, resolved to pools in the order given (pool names or CIDRs,
 * as the CNI plugin accepts), or undefined when the pod has none.
 */
export function requestedPools(pod: LabPod, pools: IPPool[]): IPPool[] | undefined {
  const raw = pod.annotations[IPV4_POOLS_ANNOTATION];
  if (raw === undefined) return undefined;
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new PoolChoiceError(
      `${IPV4_POOLS_ANNOTATION}: not a JSON list of pool names or CIDRs: ${raw}`,
      'annotations',
    );
  }
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
    throw new PoolChoiceError(
      `${IPV4_POOLS_ANNOTATION}: not a JSON list of pool names or CIDRs: ${raw}`,
      'annotations',
    );
  }
  const out: IPPool[] = [];
  for (const entry of list as string[]) {
    const [addr] = entry.split('/');
    const isCidr = entry.includes('/') && isIPv4(addr ?? '');
    const pool = isCidr
      ? pools.find((p) => p.spec.cidr === entry)
      : pools.find((p) => p.name === entry);
    if (!isCidr && !pool) {
      throw new PoolChoiceError(
        `${IPV4_POOLS_ANNOTATION}: no IPPool named "${entry}"`,
        'annotations',
      );
    }
    // determinePools: a requested pool must exist and be enabled.
    if (!pool || pool.spec.disabled) {
      throw new PoolChoiceError(
        `the given pool (${pool ? pool.spec.cidr : entry}) does not exist, or is not enabled`,
        'annotations',
      );
    }
    if (!out.includes(pool)) out.push(pool);
  }
  return out;
}

/**
 * Pools a pod on `node` may use, in the order IPAM tries them when it claims a new block.
 * Order: the annotation's order when the pod names pools; otherwise pools sorted by name,
 * the order the Kubernetes datastore lists them in (GetEnabledPools), which Calico keeps.
 */
export function candidatePools(pod: LabPod, node: LabNode, pools: IPPool[]): IPPool[] {
  const v4 = pools.filter(isV4Pool);
  const requested = requestedPools(pod, v4);
  let chosen: IPPool[];
  if (requested) {
    chosen = requested; // selectors are bypassed for requested pools
  } else {
    const enabled = [...v4.filter((p) => !p.spec.disabled)].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    // Pools with assignmentMode Manual serve only pods that ask for them.
    chosen = enabled.filter((p) => p.spec.assignmentMode !== 'Manual' && poolSelectsNode(p, node));
    if (!chosen.length)
      throw new PoolChoiceError(`no configured Calico pools for node ${node.name}`);
  }
  const byUse = chosen.filter((p) =>
    (p.spec.allowedUses ?? ['Workload', 'Tunnel']).includes('Workload'),
  );
  if (!byUse.length) {
    throw new PoolChoiceError(
      'no qualifying IP pools found, no pools match the required use (Workload)',
    );
  }
  return byUse;
}
