// Changes to a running lab (patch, apply, delete): the core computes the new lab
// (src/core/changes), then only what changed is applied to the nodes, each node atomically,
// as Felix would. Pods keep their addresses (IPAM pinned), as running pods do in Calico.
import { diffDataplane } from '../core/dataplane/diff.js';
import type { Lab } from '../core/model/lab.js';
import { planLab } from '../core/plan/plan-lab.js';
import { renderContainer } from '../core/plan/render-container.js';
import type { ContainerPlan, LabPlan } from '../core/plan/types.js';
import type { ChangeResult, RuleDiff } from './api.js';
import type { LabRecord } from './lab-record.js';

// The new lab of a change is the core's (moved there as they were); re-exported for the service.
export {
  appliedLab,
  deletedPoolLab,
  deletedResourcesLab,
  patchedLab,
  type ResourceRef,
} from '../core/changes/lab-changes.js';

export interface PlannedChange {
  lab: Lab;
  plan: LabPlan;
  diffs: RuleDiff[];
  /** Containers whose rendered dataplane differs: the only ones to touch. */
  changed: ContainerPlan[];
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

/**
 * Every container a change can touch (all but pods, whose routes come with the wiring):
 * what to re-apply when the last change may have left the dataplane half done.
 */
export function everyApplied(plan: LabPlan): ContainerPlan[] {
  return plan.containers.filter((c) => c.role !== 'pod');
}

export function changeResult(
  message: string,
  change: PlannedChange,
  appliedMs: number,
  warnings: string[],
): ChangeResult {
  return { message, diffs: change.diffs, appliedMs, warnings };
}
