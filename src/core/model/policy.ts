// Network policy resources after validation, in the form Felix receives them (libcalico-go's
// v1 backend model, lib/backend/syncersv1/updateprocessors): a namespaced policy's selector
// already carries `projectcalico.org/namespace == '<ns>'`, rule selectors their namespace scope,
// namespace selectors the `pcns.` label prefix. Kubernetes NetworkPolicies arrive converted
// (knp.default.<name>, order 1000), as libcalico-go's k8s conversion does.

export type PolicyAction = 'Allow' | 'Deny' | 'Log' | 'Pass';
export type PolicyType = 'Ingress' | 'Egress';
export type RuleProtocol = 'TCP' | 'UDP' | 'ICMP' | 'ICMPv6' | 'SCTP' | 'UDPLite' | number;

/** A port or a range, as numorstring.Port ("80" or "8000:8080"). */
export interface PortRange {
  first: number;
  last: number;
}

/** One side of a rule as Felix matches it (v1 model). */
export interface RuleEnd {
  nets: string[]; // canonical CIDRs
  notNets: string[];
  /** v1 selector (namespace scope folded in); undefined when the rule has none. */
  selector?: string;
  notSelector?: string;
  ports: PortRange[];
  notPorts: PortRange[];
}

export interface PolicyRule {
  action: PolicyAction;
  protocol?: RuleProtocol;
  notProtocol?: RuleProtocol;
  icmp?: { type?: number; code?: number };
  /** Only in Felix's table of this IP version (FilterRuleToIPVersion). */
  ipVersion?: 4 | 6;
  source: RuleEnd;
  destination: RuleEnd;
}

export type PolicyKind = 'NetworkPolicy' | 'GlobalNetworkPolicy' | 'KubernetesNetworkPolicy';

export interface Policy {
  kind: PolicyKind;
  /** metadata.name as written (knp.default.<name> for a Kubernetes NetworkPolicy). */
  name: string;
  namespace?: string; // namespaced kinds
  /** Felix's policy ID name: "<namespace>/<name>" for namespaced policies, the name otherwise. */
  id: string;
  tier: string; // "default"
  /** Calico's order; undefined sorts last, as Felix does (an unset order is +infinity). */
  order?: number;
  /** The v1 selector (namespace folded in). */
  selector: string;
  types: PolicyType[];
  ingress: PolicyRule[];
  egress: PolicyRule[];
  /** The Kubernetes name when converted from networking.k8s.io/v1. */
  k8sName?: string;
  /** The resource as written (apiVersion, kind, metadata, spec): what `get -o yaml` and `patch` show. */
  document?: Record<string, unknown>;
}

export interface NetworkSet {
  kind: 'NetworkSet' | 'GlobalNetworkSet';
  name: string;
  namespace?: string;
  /** Labels Felix matches selectors against (a NetworkSet's carry its namespace's). */
  labels: Record<string, string>;
  nets: string[];
  /** The resource as written (apiVersion, kind, metadata, spec): what `get -o yaml` and `patch` show. */
  document?: Record<string, unknown>;
}

export interface LabNamespace {
  name: string;
  labels: Record<string, string>;
}
