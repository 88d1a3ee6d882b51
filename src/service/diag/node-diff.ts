// The service's half of `diff`: the lab's files (or a running lab's source) planned, and the
// customer's node dump compared with it in the core. No engine needed.
import { diffNode } from '../../core/diag/node-diff.js';
import type { NodeDiffResult } from '../../core/diag/types.js';
import type { LabSource } from '../api.js';
import { planSources } from '../offline.js';

export function diffSources(
  sources: LabSource[],
  node: string,
  dumps: LabSource[],
): NodeDiffResult {
  return diffNode(planSources(sources), node, dumps);
}

/** The findings as text: one positioned line each (FILE:LINE:COL where the dump has it). */
export function formatNodeDiff(r: NodeDiffResult): string {
  const lines = [
    `diff of ${r.node} (Calico ${r.calicoVersion}) with ${r.inputs.map((i) => `${i.file} (${i.kind})`).join(', ')}`,
  ];
  for (const f of r.findings) {
    const at = f.position ? `${f.position.file}:${f.position.line}:${f.position.col}: ` : '';
    lines.push(`${at}${f.severity}: ${f.kind}: ${f.message}`);
    if (f.expected) lines.push(`    Calico: ${f.expected}`);
    if (f.found) lines.push(`    node:   ${f.found}`);
  }
  const count = (s: string): number => r.findings.filter((f) => f.severity === s).length;
  lines.push(
    `matched: ${r.matched.rules} rules, ${r.matched.members} set members, ${r.matched.routes} routes; ` +
      `${count('error')} errors, ${count('warning')} warnings, ${count('info')} notes`,
  );
  return `${lines.join('\n')}\n`;
}
