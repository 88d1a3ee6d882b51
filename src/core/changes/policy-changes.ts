// Policies and network sets in calicoctl apply / delete: a resource is identified by its kind,
// namespace and name (a Kubernetes NetworkPolicy by its own name, not the knp. one).
import type { Lab } from '../model/lab.js';
import type { NetworkSet, Policy } from '../model/policy.js';

function policyKey(p: Policy): string {
  return `${p.kind}\u0000${p.namespace ?? ''}\u0000${p.k8sName ?? p.name}`;
}

function setKey(s: NetworkSet): string {
  return `${s.kind}\u0000${s.namespace ?? ''}\u0000${s.name}`;
}

function replaceBy<T>(list: readonly T[], item: T, key: (x: T) => string): T[] {
  const k = key(item);
  const i = list.findIndex((x) => key(x) === k);
  return i < 0 ? [...list, item] : list.map((x, j) => (j === i ? item : x));
}

export function withPolicy(lab: Lab, p: Policy): Lab {
  return { ...lab, policies: replaceBy(lab.policies ?? [], p, policyKey) };
}

export function withNetworkSet(lab: Lab, s: NetworkSet): Lab {
  return { ...lab, networkSets: replaceBy(lab.networkSets ?? [], s, setKey) };
}

const POLICY_KINDS: Record<string, Policy['kind']> = {
  NetworkPolicy: 'NetworkPolicy',
  GlobalNetworkPolicy: 'GlobalNetworkPolicy',
  KubernetesNetworkPolicy: 'KubernetesNetworkPolicy',
};

/**
 * The lab without the named policy or network set; undefined when the lab has none of that
 * kind and name (the caller says calicoctl's "resource does not exist"). `name` may be
 * "namespace/name" for the namespaced kinds; a bare name means namespace "default".
 */
export function withoutPolicyResource(lab: Lab, kind: string, name: string): Lab | undefined {
  const [ns, bare] = name.includes('/') ? name.split('/', 2) : [undefined, name];
  if (POLICY_KINDS[kind]) {
    const k = POLICY_KINDS[kind];
    const global = k === 'GlobalNetworkPolicy';
    const hit = (p: Policy) =>
      p.kind === k &&
      (p.k8sName ?? p.name) === bare &&
      (global || (p.namespace ?? 'default') === (ns ?? 'default'));
    if (!(lab.policies ?? []).some(hit)) return undefined;
    return { ...lab, policies: (lab.policies ?? []).filter((p) => !hit(p)) };
  }
  if (kind === 'NetworkSet' || kind === 'GlobalNetworkSet') {
    const hit = (s: NetworkSet) =>
      s.kind === kind &&
      s.name === bare &&
      (kind === 'GlobalNetworkSet' || (s.namespace ?? 'default') === (ns ?? 'default'));
    if (!(lab.networkSets ?? []).some(hit)) return undefined;
    return { ...lab, networkSets: (lab.networkSets ?? []).filter((s) => !hit(s)) };
  }
  return undefined;
}
