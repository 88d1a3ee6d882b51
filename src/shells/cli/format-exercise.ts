// Exercises as text for the terminal (issue 18): the steps, and a check's result with what the
// wire showed for each flow.
import type { ExerciseCheckResult, ExerciseView } from '../../service/api.js';

export function formatExercise(v: Pick<ExerciseView, 'title' | 'steps' | 'lab'>): string {
  const out = [`${v.title} (lab ${v.lab}, ${v.steps.length} steps)`];
  for (const s of v.steps) {
    out.push('', `Step ${s.index + 1}: ${s.title}`);
    for (const line of s.instruction.trimEnd().split('\n')) out.push(`  ${line}`);
    for (const h of s.hints) out.push(`  hint: ${h}`);
    out.push(
      s.checkpoint.length
        ? `  starts from: the lab file, then ${s.checkpoint.join('; ')}`
        : '  starts from: the lab file as written',
    );
    for (const c of s.check) out.push(`  check: ${c}`);
  }
  return out.join('\n') + '\n';
}

export function formatExerciseCheck(r: ExerciseCheckResult, title: string): string {
  const out = [`step ${r.step + 1} (${title}): ${r.ok ? 'PASS' : 'FAIL'}`];
  for (const e of r.entries) {
    out.push(`  ${e.ok ? 'ok  ' : 'FAIL'} ${e.text}`, `       seen: ${e.summary}`);
    for (const m of e.mismatches) out.push(`       why: ${m}`);
  }
  return out.join('\n') + '\n';
}
