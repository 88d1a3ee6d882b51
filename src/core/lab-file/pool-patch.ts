// `calicoctl patch ippool NAME --patch JSON` on one pool: an RFC 7386 merge patch on the pool as
// calicoctl shows it, then Calico's update validation. Here (not in changes/) so that the lab
// file's own checks can run it too: an exercise checkpoint is such a patch (lab-exercise.ts).
import type { Problem } from '../errors.js';
import type { IPPool } from '../model/calico.js';
import { formatFieldPath, renderFieldError } from '../calico/field-error.js';
import { ipPoolToResource, validateIPPool, type IPPoolInput } from '../calico/ippool.js';
import { ipPoolResource } from './schemas.js';
import { zodIssuesToProblems } from './zod-problems.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** RFC 7386 JSON Merge Patch: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export type PoolPatchResult =
  { pool: IPPool; problems: [] } | { pool?: undefined; problems: Problem[] };

/**
 * The patched, validated pool, or every problem (a patch that is not an object, a rename,
 * Calico's own messages such as `IPPool CIDR cannot be modified`). Problems carry no position.
 */
export function patchPool(pool: IPPool, patch: unknown): PoolPatchResult {
  const base = { kind: 'IPPool', name: pool.name };
  if (!isObject(patch)) {
    return {
      problems: [
        {
          ...base,
          message: `a merge patch must be a JSON object like {"spec":{"natOutgoing":true}}, got ${JSON.stringify(patch)}`,
        },
      ],
    };
  }
  const patched = mergePatch(ipPoolToResource(pool), patch);
  const parsed = ipPoolResource.safeParse(patched);
  if (!parsed.success) {
    return {
      problems: zodIssuesToProblems(parsed.error.issues, {
        basePath: [],
        ...base,
        schema: ipPoolResource,
        data: patched,
      }),
    };
  }
  const r = parsed.data;
  const problems: Problem[] = [];
  if (r.metadata.name !== pool.name) {
    problems.push({
      ...base,
      field: 'metadata.name',
      message: `a patch cannot rename the resource (to ${JSON.stringify(r.metadata.name)})`,
    });
  }
  if (r.apiVersion !== 'projectcalico.org/v3' && r.apiVersion !== 'crd.projectcalico.org/v1') {
    problems.push({
      ...base,
      field: 'apiVersion',
      message: `apiVersion must be "projectcalico.org/v3", got ${JSON.stringify(r.apiVersion)}`,
    });
  }
  if (problems.length > 0) return { problems };
  const input: IPPoolInput = {
    name: pool.name,
    labels: r.metadata.labels,
    annotations: r.metadata.annotations,
    spec: r.spec ?? {},
  };
  const result = validateIPPool(input, { old: pool });
  if (!result.pool) {
    return {
      problems: result.errors.map((e) => ({
        ...base,
        field: formatFieldPath(e.path),
        message: renderFieldError(e),
      })),
    };
  }
  return { pool: result.pool, problems: [] };
}
