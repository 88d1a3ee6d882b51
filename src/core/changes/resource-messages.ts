// What a patch prints on success, in the words of the tool that owns the kind:
// calicoctl (calicoctl/commands/patch.go: "Successfully patched 1 '%s' resource") for the
// Calico kinds, kubectl ("<resource>/<name> patched") for a Service and a Kubernetes
// NetworkPolicy.
import type { ResourceKind } from './resource-views.js';

export function patchedMessage(kind: ResourceKind, ref: string): string {
  const bare = ref.split('/').pop()!;
  if (kind === 'Service') return `service/${bare} patched`;
  if (kind === 'KubernetesNetworkPolicy') return `networkpolicy.networking.k8s.io/${bare} patched`;
  return `Successfully patched 1 '${kind}' resource`;
}
