// A lab after one change to its Calico resources (patch, apply, delete): pure functions
// from the lab and the change to the new lab, validated like the core validates. The service
// plans and applies the result on a running lab (src/service/changes.ts).
import { LabInputError } from '../errors.js';
import type { Lab } from '../model/lab.js';
import type { LabSource } from '../lab-file/source.js';
import { applyMergePatch, applyResources } from './patch.js';

function notFound(kind: string, name: string): never {
  throw new LabInputError([{ kind, name, message: `resource does not exist: ${kind}(${name})` }]);
}

export function patchedLab(current: Lab, pool: string, patch: unknown): Lab {
  const existing = current.ipPools.find((p) => p.name === pool);
  if (!existing) notFound('IPPool', pool);
  const updated = applyMergePatch(existing, patch);
  return { ...current, ipPools: current.ipPools.map((p) => (p.name === pool ? updated : p)) };
}

export function appliedLab(current: Lab, sources: LabSource[]): Lab {
  return applyResources(current, sources);
}

export function deletedPoolLab(current: Lab, pool: string): Lab {
  if (!current.ipPools.some((p) => p.name === pool)) notFound('IPPool', pool);
  return { ...current, ipPools: current.ipPools.filter((p) => p.name !== pool) };
}
