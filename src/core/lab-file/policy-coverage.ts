// What the lab does with each top-level, metadata and spec field of the policy kinds (see
// field-coverage.ts, which holds these tables with the other kinds'). Fields inside rules that
// the lab cannot follow (http, notICMP, serviceAccounts, services) are refused by
// calico/policy.ts with the words "not modelled by the lab", never ignored.
import type { PolicyResourceKind } from './policy-schemas.js';
import {
  METADATA as COMMON_METADATA,
  TOP,
  type FieldRule as Rule,
  type ResourceCoverage as Coverage,
} from './coverage-common.js';

const METADATA: Record<string, Rule> = {
  ...COMMON_METADATA,
  // The namespace a NetworkPolicy or NetworkSet lives in (default "default"); ignored by the
  // global kinds, as the API server ignores it for cluster-scoped resources.
  namespace: 'modelled',
};

const POLICY: Record<string, Rule> = {
  order: 'modelled',
  // "default" only: other tiers are refused (the lab has no Tier resources).
  tier: 'modelled',
  selector: 'modelled',
  types: 'modelled',
  ingress: 'modelled',
  egress: 'modelled',
  serviceAccountSelector: {
    instead:
      'ignored: the lab has no service accounts, so the policy is rendered as if it were unset',
  },
  performanceHints: { instead: 'ignored: hints only change when Felix programs the rules' },
};

const GLOBAL_POLICY: Record<string, Rule> = {
  ...POLICY,
  namespaceSelector: 'modelled',
  doNotTrack: {
    instead: 'the policy is rendered as a normal (tracked) policy in the filter table',
    when: (v) => v === true,
  },
  preDNAT: {
    instead: 'the policy is rendered as a normal policy in the filter table',
    when: (v) => v === true,
  },
  applyOnForward: {
    instead: 'workload policy always applies to forwarded traffic; there are no host endpoints',
    when: (v) => v === true,
  },
};

const NETWORK_SET: Record<string, Rule> = { nets: 'modelled' };

const K8S_POLICY: Record<string, Rule> = {
  podSelector: 'modelled',
  policyTypes: 'modelled',
  ingress: 'modelled',
  egress: 'modelled',
};

export const POLICY_COVERAGE: Record<PolicyResourceKind, Coverage> = {
  NetworkPolicy: { top: TOP, metadata: METADATA, spec: POLICY },
  GlobalNetworkPolicy: { top: TOP, metadata: METADATA, spec: GLOBAL_POLICY },
  NetworkSet: { top: TOP, metadata: METADATA, spec: NETWORK_SET },
  GlobalNetworkSet: { top: TOP, metadata: METADATA, spec: NETWORK_SET },
  KubernetesNetworkPolicy: { top: TOP, metadata: METADATA, spec: K8S_POLICY },
};
