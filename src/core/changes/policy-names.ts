// How calicoctl names policy resources in its messages and `delete -f`: namespaced kinds as
// "<namespace>/<name>" (libcalico-go's ResourceKey), a Kubernetes NetworkPolicy by its own name.
import type { NetworkSet, Policy } from '../model/policy.js';

const KINDS = new Set([
  'NetworkPolicy',
  'GlobalNetworkPolicy',
  'KubernetesNetworkPolicy',
  'NetworkSet',
  'GlobalNetworkSet',
]);

export function isPolicyKind(kind: string): boolean {
  return KINDS.has(kind);
}

export function policyResourceNames(r: {
  policies?: Policy[];
  networkSets?: NetworkSet[];
}): { kind: string; name: string }[] {
  return [
    ...(r.policies ?? []).map((p) => ({
      kind: p.kind,
      name: p.namespace ? `${p.namespace}/${p.k8sName ?? p.name}` : p.name,
    })),
    ...(r.networkSets ?? []).map((s) => ({
      kind: s.kind,
      name: s.namespace ? `${s.namespace}/${s.name}` : s.name,
    })),
  ];
}
