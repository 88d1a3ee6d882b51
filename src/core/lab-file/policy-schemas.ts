// Shapes of the policy resources (projectcalico.org/v3 NetworkPolicy, GlobalNetworkPolicy,
// NetworkSet, GlobalNetworkSet; networking.k8s.io/v1 NetworkPolicy) as strict zod objects:
// an unknown field is an error naming it. Calico's semantic checks live in calico/policy.ts.
// Field lists: api/pkg/apis/projectcalico/v3/{policy_common.go,networkpolicy.go,
// globalnetworkpolicy.go,networkset.go,globalnetworkset.go} at v3.30.0.
import { z } from 'zod';
import { namespacedMeta, resourceShape } from './resource-shape.js';

const labels = z.record(z.string(), z.string());
const ignored = z.unknown().optional();

export const policyMeta = namespacedMeta;

const port = z.union([z.number().int(), z.string()]);
const protocol = z.union([z.number().int(), z.string()]);

export const entityRule = z.strictObject({
  nets: z.array(z.string()).optional(),
  notNets: z.array(z.string()).optional(),
  selector: z.string().optional(),
  notSelector: z.string().optional(),
  namespaceSelector: z.string().optional(),
  ports: z.array(port).optional(),
  notPorts: z.array(port).optional(),
  serviceAccounts: ignored,
  services: ignored,
});

const icmpFields = z.strictObject({
  type: z.number().int().optional(),
  code: z.number().int().optional(),
});

export const policyRule = z.strictObject({
  action: z.string(),
  protocol: protocol.optional(),
  notProtocol: protocol.optional(),
  icmp: icmpFields.optional(),
  notICMP: ignored,
  ipVersion: z.number().int().optional(),
  source: entityRule.optional(),
  destination: entityRule.optional(),
  http: ignored,
  metadata: ignored,
});

const commonPolicySpec = {
  order: z.number().optional(),
  tier: z.string().optional(),
  selector: z.string().optional(),
  types: z.array(z.string()).optional(),
  ingress: z.array(policyRule).optional(),
  egress: z.array(policyRule).optional(),
  serviceAccountSelector: ignored,
  performanceHints: ignored,
};

export const networkPolicySpec = z.strictObject(commonPolicySpec);

export const globalNetworkPolicySpec = z.strictObject({
  ...commonPolicySpec,
  namespaceSelector: z.string().optional(),
  doNotTrack: z.boolean().optional(),
  preDNAT: z.boolean().optional(),
  applyOnForward: z.boolean().optional(),
});

export const networkSetSpec = z.strictObject({ nets: z.array(z.string()).optional() });

function resource<K extends string, S extends z.ZodType>(kind: K, spec: S) {
  return resourceShape(kind, policyMeta, spec);
}

export const networkPolicyResource = resource('NetworkPolicy', networkPolicySpec);
export const globalNetworkPolicyResource = resource('GlobalNetworkPolicy', globalNetworkPolicySpec);
export const networkSetResource = resource('NetworkSet', networkSetSpec);
export const globalNetworkSetResource = resource('GlobalNetworkSet', networkSetSpec);

// --- networking.k8s.io/v1 NetworkPolicy ---
const labelSelectorRequirement = z.strictObject({
  key: z.string(),
  operator: z.string(),
  values: z.array(z.string()).optional(),
});
export const k8sLabelSelector = z.strictObject({
  matchLabels: labels.optional(),
  matchExpressions: z.array(labelSelectorRequirement).optional(),
});
const k8sPeer = z.strictObject({
  podSelector: k8sLabelSelector.optional(),
  namespaceSelector: k8sLabelSelector.optional(),
  ipBlock: z.strictObject({ cidr: z.string(), except: z.array(z.string()).optional() }).optional(),
});
const k8sPort = z.strictObject({
  protocol: z.string().optional(),
  port: z.union([z.number().int(), z.string()]).optional(),
  endPort: z.number().int().optional(),
});
export const k8sNetworkPolicySpec = z.strictObject({
  podSelector: k8sLabelSelector.optional(),
  policyTypes: z.array(z.string()).optional(),
  ingress: z
    .array(
      z.strictObject({ from: z.array(k8sPeer).optional(), ports: z.array(k8sPort).optional() }),
    )
    .optional(),
  egress: z
    .array(z.strictObject({ to: z.array(k8sPeer).optional(), ports: z.array(k8sPort).optional() }))
    .optional(),
});
export const k8sNetworkPolicyResource = resource('NetworkPolicy', k8sNetworkPolicySpec);

/** The kind a Kubernetes NetworkPolicy gets inside the lab (Calico has a NetworkPolicy too). */
export const K8S_NETWORK_POLICY = 'KubernetesNetworkPolicy';
export const K8S_NETWORKING_API = 'networking.k8s.io/v1';

export const POLICY_KINDS = [
  'NetworkPolicy',
  'GlobalNetworkPolicy',
  'NetworkSet',
  'GlobalNetworkSet',
  K8S_NETWORK_POLICY,
] as const;
export type PolicyResourceKind = (typeof POLICY_KINDS)[number];

export const policyResourceSchemas = {
  NetworkPolicy: networkPolicyResource,
  GlobalNetworkPolicy: globalNetworkPolicyResource,
  NetworkSet: networkSetResource,
  GlobalNetworkSet: globalNetworkSetResource,
  [K8S_NETWORK_POLICY]: k8sNetworkPolicyResource,
} as const;
