// The labels Felix matches selectors against: a pod's workload endpoint carries its own labels,
// the namespace and orchestrator labels, and inherits its profiles' labels (kns.<namespace>:
// the namespace's labels prefixed "pcns.", ksa.<namespace>.default: "pcsa."), as
// libcalico-go's k8s conversion (WorkloadEndpointConverter, NamespaceToProfile,
// ServiceAccountToProfile) and Felix's label inheritance (felix/labelindex) give them.
// A NetworkSet inherits its namespace profile's labels too (networksetprocessor.go).
import type { Lab, LabPod } from '../model/lab.js';
import type { NetworkSet, Policy } from '../model/policy.js';
import {
  LABEL_NAMESPACE,
  LABEL_ORCHESTRATOR,
  LABEL_SERVICE_ACCOUNT,
  NAMESPACE_LABEL_PREFIX,
  SERVICE_ACCOUNT_LABEL_PREFIX,
} from './policy-selectors.js';
import { matchesSelector } from './selector.js';

export const SERVICE_ACCOUNT = 'default';

/** The namespace's labels as its kns. profile gives them to endpoints (pcns.…). */
export function namespaceProfileLabels(lab: Lab, ns: string): Record<string, string> {
  const own = lab.namespaces?.find((n) => n.name === ns)?.labels ?? {};
  const out: Record<string, string> = {};
  // Kubernetes labels every namespace with its name; the profile carries it (and its own).
  for (const [k, v] of Object.entries({ 'kubernetes.io/metadata.name': ns, ...own }))
    out[NAMESPACE_LABEL_PREFIX + k] = v;
  out[`${NAMESPACE_LABEL_PREFIX}projectcalico.org/name`] = ns;
  return out;
}

export function workloadLabels(lab: Lab, pod: LabPod): Record<string, string> {
  return {
    ...namespaceProfileLabels(lab, pod.namespace),
    [`${SERVICE_ACCOUNT_LABEL_PREFIX}projectcalico.org/name`]: SERVICE_ACCOUNT,
    ...pod.labels,
    [LABEL_NAMESPACE]: pod.namespace,
    [LABEL_ORCHESTRATOR]: 'k8s',
    [LABEL_SERVICE_ACCOUNT]: SERVICE_ACCOUNT,
  };
}

export function networkSetLabels(lab: Lab, set: NetworkSet): Record<string, string> {
  return set.namespace
    ? { ...namespaceProfileLabels(lab, set.namespace), ...set.labels }
    : { ...set.labels };
}

/** The profiles of a pod's endpoint, in the order Felix jumps to them. */
export function workloadProfiles(pod: LabPod): string[] {
  return [`kns.${pod.namespace}`, `ksa.${pod.namespace}.${SERVICE_ACCOUNT}`];
}

/** Felix's policy order: by order (unset last), then by name (policy ID). */
export function sortPolicies(policies: readonly Policy[]): Policy[] {
  return [...policies].sort((a, b) => {
    const oa = a.order ?? Infinity;
    const ob = b.order ?? Infinity;
    if (oa !== ob) return oa < ob ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/** The policies (in Felix's order) that select this pod for one direction. */
export function policiesFor(lab: Lab, pod: LabPod, type: 'Ingress' | 'Egress'): Policy[] {
  const labels = workloadLabels(lab, pod);
  return sortPolicies(
    (lab.policies ?? []).filter(
      (p) => p.types.includes(type) && matchesSelector(p.selector, labels),
    ),
  );
}
