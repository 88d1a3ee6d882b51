// The envelope every resource of a lab file shares (apiVersion, kind, metadata, spec, status),
// with Kubernetes' ObjectMeta as calicoctl and kubectl print it. Cluster-scoped kinds ignore
// `namespace` (as the API server does); the namespaced policy kinds read it.
import { z } from 'zod';

const labels = z.record(z.string(), z.string());
const ignored = z.unknown().optional();

const serverFields = {
  uid: ignored,
  resourceVersion: ignored,
  generation: ignored,
  creationTimestamp: ignored,
  deletionTimestamp: ignored,
  deletionGracePeriodSeconds: ignored,
  generateName: ignored,
  ownerReferences: ignored,
  finalizers: ignored,
  managedFields: ignored,
  selfLink: ignored,
};

/** ObjectMeta of a cluster-scoped kind: only name, labels and annotations are used. */
export const objectMeta = z.strictObject({
  name: z.string(),
  labels: labels.optional(),
  annotations: labels.optional(),
  namespace: ignored,
  ...serverFields,
});

/** ObjectMeta of the policy kinds: `namespace` matters for the namespaced ones. */
export const namespacedMeta = z.strictObject({
  name: z.string(),
  namespace: z.string().optional(),
  labels: labels.optional(),
  annotations: labels.optional(),
  ...serverFields,
});

/** A resource of one kind, strict: an unknown top-level field is an error naming it. */
export function resourceShape<K extends string, M extends z.ZodType, S extends z.ZodType>(
  kind: K,
  metadata: M,
  spec: S,
) {
  return z.strictObject({
    apiVersion: z.string(),
    kind: z.literal(kind),
    metadata,
    spec: spec.optional(),
    status: ignored,
  });
}
