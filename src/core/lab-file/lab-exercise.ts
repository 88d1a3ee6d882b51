// `spec.exercise` → the lab's Exercise (issue 18). A step's check entries are `expect` entries
// and are validated by the same code (lab-expectations.ts), with problems placed at the step's
// own keys; a checkpoint's pool patches are validated as `calicoctl patch ippool` would take
// them, then the lab as the step starts is checked as a whole (overlaps, pods no pool serves).
import type { Problem } from '../errors.js';
import type { IPPool } from '../model/calico.js';
import type { Exercise, ExerciseStep, Lab, LabHost, LabPod } from '../model/lab.js';
import type { FieldPath } from '../calico/field-error.js';
import { checkLab } from './checks.js';
import type { LabContext, LabSpec } from './lab-context.js';
import { buildExpectations } from './lab-expectations.js';
import { patchPool } from './pool-patch.js';
import type { SourceIndex } from './source-index.js';

const stepPath = (s: number): FieldPath => ['spec', 'exercise', 'steps', s];

export function buildExercise(
  ctx: LabContext,
  pods: readonly LabPod[],
  hosts: readonly LabHost[],
  ipPools: readonly IPPool[],
): Exercise | undefined {
  const doc = ctx.spec.exercise;
  if (!doc) return undefined;
  const steps: ExerciseStep[] = doc.steps.map((d, s) => {
    // The check entries through the `expect` validation: its paths ["spec","expect",i,…]
    // become this step's ["spec","exercise","steps",s,"check",i,…].
    const check = buildExpectations(
      {
        ...ctx,
        spec: { ...ctx.spec, expect: d.check as LabSpec['expect'] },
        problem: (path, message, target) =>
          ctx.problem([...stepPath(s), 'check', ...path.slice(2)], message, target),
      },
      pods,
      hosts,
    );
    const checkpoint = d.checkpoint ?? [];
    let pools = [...ipPools];
    checkpoint.forEach((c, j) => {
      const at: FieldPath = [...stepPath(s), 'checkpoint', j];
      const pool = pools.find((p) => p.name === c.ippool);
      if (!pool) {
        ctx.problem(
          [...at, 'ippool'],
          `IPPool ${JSON.stringify(c.ippool)} is not in this lab file (pools: ${ipPools.map((p) => p.name).join(', ') || 'none'})`,
        );
        return;
      }
      const r = patchPool(pool, c.patch);
      if (!r.pool) {
        for (const p of r.problems)
          ctx.problem([...at, 'patch'], `${p.field ? `${p.field}: ` : ''}${p.message}`);
        return;
      }
      const patched = r.pool;
      pools = pools.map((p) => (p.name === patched.name ? patched : p));
    });
    return {
      title: d.title,
      instruction: d.instruction,
      hints: d.hints ?? [],
      checkpoint: checkpoint.map((c) => ({ ippool: c.ippool, patch: c.patch })),
      check,
    };
  });
  return { title: doc.title, steps };
}

/**
 * The lab as a step starts: the lab file's Calico resources (`fileLab`), with the step's pool
 * patches applied. The patches were validated when the file loaded; one that no longer applies
 * (a lab loaded by other means) throws.
 */
export function checkpointPools(fileLab: Lab, step: ExerciseStep): IPPool[] {
  let pools = [...fileLab.ipPools];
  for (const c of step.checkpoint) {
    const pool = pools.find((p) => p.name === c.ippool);
    const r = pool ? patchPool(pool, c.patch) : undefined;
    if (!r?.pool) throw new Error(`checkpoint: cannot patch IPPool ${c.ippool}`);
    const patched = r.pool;
    pools = pools.map((p) => (p.name === patched.name ? patched : p));
  }
  return pools;
}

/**
 * Each step's checkpoint checked as a whole lab (what `checkLab` refuses in a file, a
 * checkpoint may not bring about): problems placed at the step's `checkpoint`.
 */
export function checkpointProblems(lab: Lab, index: SourceIndex): Problem[] {
  const out: Problem[] = [];
  lab.exercise?.steps.forEach((step, s) => {
    if (!step.checkpoint.length) return;
    const cross = checkLab({ ...lab, ipPools: checkpointPools(lab, step) }, index);
    for (const p of cross) {
      out.push(
        index.problem(
          'Lab',
          lab.name,
          [...stepPath(s), 'checkpoint'],
          `the lab as this step starts is not valid: ${p.kind ? `${p.kind}(${p.name ?? ''}) ` : ''}${p.field ? `${p.field}: ` : ''}${p.message}`,
        ),
      );
    }
  });
  return out;
}
