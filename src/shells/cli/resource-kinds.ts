// The words `get` and `patch` take for policies, network sets and Services: calicoctl's
// resource names for the Calico kinds (calicoctl/calicoctl/resourcemgr/networkpolicy.go,
// globalnetworkpolicy.go, networkset.go, globalnetworkset.go), kubectl's for a Service (`svc`)
// and a Kubernetes NetworkPolicy (`netpol`, networking.k8s.io).
import type { ResourceKind } from '../../core/changes/resource-views.js';

const WORDS: Record<ResourceKind, readonly string[]> = {
  NetworkPolicy: ['networkpolicy', 'networkpolicies', 'policy', 'np', 'policies', 'pol', 'pols'],
  GlobalNetworkPolicy: ['globalnetworkpolicy', 'globalnetworkpolicies', 'gnp', 'gnps'],
  KubernetesNetworkPolicy: [
    'netpol',
    'networkpolicy.networking.k8s.io',
    'networkpolicies.networking.k8s.io',
  ],
  NetworkSet: ['networkset', 'networksets', 'netsets'],
  GlobalNetworkSet: ['globalnetworkset', 'globalnetworksets'],
  Service: ['service', 'services', 'svc'],
};

export const RESOURCE_WORDS = Object.values(WORDS).map((w) => w[0]!);

export function resourceKindNamed(word: string): ResourceKind | undefined {
  const w = word.toLowerCase();
  return (Object.keys(WORDS) as ResourceKind[]).find((k) => WORDS[k].includes(w));
}

/** Kinds that live in a namespace (a bare name means namespace "default"). */
export function isNamespaced(kind: ResourceKind): boolean {
  return kind !== 'GlobalNetworkPolicy' && kind !== 'GlobalNetworkSet';
}

/** Kubernetes' own kinds, printed as kubectl prints them. */
export function isKubernetesKind(kind: ResourceKind): boolean {
  return kind === 'Service' || kind === 'KubernetesNetworkPolicy';
}
