// The pieces every coverage table shares: the rule kinds and the top-level and metadata fields
// of any resource (field-coverage.ts for Calico's configuration kinds, policy-coverage.ts for the
// policy kinds).
export interface NotModelled {
  /** What the lab does instead. */
  instead: string;
  /** Warn only for values the lab cannot follow (e.g. ipipMode other than Never). */
  when?: (value: unknown) => boolean;
}

export type FieldRule = 'modelled' | 'server' | NotModelled;

/** Rules for the fields of a resource's top level, metadata and spec. */
export interface ResourceCoverage {
  top: Record<string, FieldRule>;
  metadata: Record<string, FieldRule>;
  spec: Record<string, FieldRule>;
}

export const TOP: Record<string, FieldRule> = {
  apiVersion: 'modelled',
  kind: 'modelled',
  metadata: 'modelled',
  spec: 'modelled',
  status: 'server',
};

export const METADATA: Record<string, FieldRule> = {
  name: 'modelled',
  labels: 'modelled',
  // Checked as Calico checks them; Felix and BIRD read no annotation of these resources.
  annotations: 'modelled',
  namespace: 'server',
  uid: 'server',
  resourceVersion: 'server',
  generation: 'server',
  creationTimestamp: 'server',
  deletionTimestamp: 'server',
  deletionGracePeriodSeconds: 'server',
  generateName: 'server',
  ownerReferences: 'server',
  finalizers: 'server',
  managedFields: 'server',
  selfLink: 'server',
};
