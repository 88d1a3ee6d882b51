// A change's rule diff as text, per container: `-`/`+` rules and ipset members, as
// `diff -u` marks lines. Printed by --dry-run so a change is seen before it is applied.
import type { RuleDiff } from '../../service/api.js';

export function ruleDiffText(diffs: readonly RuleDiff[]): string {
  if (!diffs.length) return 'no rule changes\n';
  const out: string[] = [];
  for (const d of diffs) {
    out.push(`--- ${d.node}`);
    for (const r of d.removed) out.push(`- ${r}`);
    for (const r of d.added) out.push(`+ ${r}`);
    for (const s of d.ipsetChanges) {
      for (const m of s.removed) out.push(`- ipset ${s.set} ${m}`);
      for (const m of s.added) out.push(`+ ipset ${s.set} ${m}`);
    }
  }
  return out.join('\n') + '\n';
}
