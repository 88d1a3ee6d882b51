// The policy kinds' entries → validated Policy / NetworkSet (calico/policy.ts,
// calico/k8s-policy.ts), for resources.ts's validateResource.
import type { CalicoFieldError } from '../calico/field-error.js';
import { convertK8sNetworkPolicy, type K8sPolicySpecInput } from '../calico/k8s-policy.js';
import {
  validateNetworkSet,
  validatePolicy,
  type PolicySpecInput,
  type ResourceMeta,
} from '../calico/policy.js';
import type { NetworkSet, Policy } from '../model/policy.js';

const NAMESPACED = new Set(['NetworkPolicy', 'NetworkSet', 'KubernetesNetworkPolicy']);

/**
 * A resource's name in the source index: "<namespace>/<name>" for the namespaced kinds, so two
 * namespaces may each have a policy of one name (calicoctl's ResourceKey names them so too).
 */
export function indexName(kind: string, meta: { name: string; namespace?: string }): string {
  return NAMESPACED.has(kind) ? `${meta.namespace ?? 'default'}/${meta.name}` : meta.name;
}

export type PolicyValidated =
  { kind: 'Policy'; resource: Policy } | { kind: 'NetworkSet'; resource: NetworkSet };

export function validatePolicyEntry(
  kind: string,
  meta: ResourceMeta,
  spec: Record<string, unknown>,
): { validated?: PolicyValidated; errors: CalicoFieldError[] } {
  const r = validated(kind, meta, spec);
  // The resource as written travels with it, for `get -o yaml`, `patch` and the Resources screen.
  if (r.validated) r.validated.resource.document = asWritten(kind, meta, spec);
  return r;
}

function asWritten(
  kind: string,
  meta: ResourceMeta,
  spec: Record<string, unknown>,
): Record<string, unknown> {
  const k8s = kind === 'KubernetesNetworkPolicy';
  return {
    apiVersion: k8s ? 'networking.k8s.io/v1' : 'projectcalico.org/v3',
    kind: k8s ? 'NetworkPolicy' : kind,
    metadata: structuredClone(meta),
    spec: structuredClone(spec),
  };
}

function validated(
  kind: string,
  meta: ResourceMeta,
  spec: Record<string, unknown>,
): { validated?: PolicyValidated; errors: CalicoFieldError[] } {
  switch (kind) {
    case 'NetworkPolicy':
    case 'GlobalNetworkPolicy': {
      const r = validatePolicy(kind, meta, spec as PolicySpecInput);
      return r.policy ? { validated: { kind: 'Policy', resource: r.policy }, errors: [] } : r;
    }
    case 'KubernetesNetworkPolicy': {
      const r = convertK8sNetworkPolicy(meta, spec as K8sPolicySpecInput);
      return r.policy ? { validated: { kind: 'Policy', resource: r.policy }, errors: [] } : r;
    }
    case 'NetworkSet':
    case 'GlobalNetworkSet': {
      const r = validateNetworkSet(kind, meta, spec as { nets?: string[] });
      return r.networkSet
        ? { validated: { kind: 'NetworkSet', resource: r.networkSet }, errors: [] }
        : r;
    }
    default:
      return { errors: [] };
  }
}
