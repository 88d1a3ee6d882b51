// Changes to a running lab (patch, apply, delete): validated like the core validates,
// then only what changed is applied to the nodes, each node atomically, as Felix would.
// Pods keep their addresses (IPAM pinned), as running pods do in Calico.
import { applyMergePatch, applyResources } from '../core/calico/patch.js';
import { diffDataplane } from '../core/dataplane/diff.js';
import { LabInputError } from '../core/errors.js';
import type { Lab } from '../core/model/lab.js';
import { planLab } from '../core/plan/plan-lab.js';
import { renderContainer } from '../core/plan/render-container.js';
import type { ContainerPlan, LabPlan } from '../core/plan/types.js';
import type { ChangeResult, LabSource, RuleDiff } from './api.js';
import type { LabRecord } from './lab-record.js';

export interface PlannedChange {
  lab: Lab;
  plan: LabPlan;
  diffs: RuleDiff[];
  /** Containers whose rendered dataplane differs: the only ones to touch. */
  changed: ContainerPlan[];
}

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

/** Plans `next` against the record's running plan and lists what differs per container. */
export function planChange(record: LabRecord, before: LabPlan, next: Lab): PlannedChange {
  const plan = planLab(next, { pinnedIpam: record.ipam });
  const diffs: RuleDiff[] = [];
  const changed: ContainerPlan[] = [];
  for (const c of plan.containers) {
    const old = before.containers.find((x) => x.name === c.name);
    if (c.dataplane && old?.dataplane) {
      const d = diffDataplane(old.dataplane, c.dataplane, c.name);
      if (d.added.length || d.removed.length || d.ipsetChanges.length) diffs.push(d);
    }
    if (!old || JSON.stringify(renderContainer(old)) !== JSON.stringify(renderContainer(c)))
      changed.push(c);
  }
  return { lab: next, plan, diffs, changed };
}

export function changeResult(
  message: string,
  change: PlannedChange,
  appliedMs: number,
  warnings: string[],
): ChangeResult {
  return { message, diffs: change.diffs, appliedMs, warnings };
}
