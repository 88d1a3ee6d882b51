// What a change does to a node: rule lines (as iptables-save shows them, with their
// cali: hashes) that go and come, and ipset members that go and come.
import { saveLines } from './render-nat.js';
import type { DataplaneDiff, NodeDataplane } from './types.js';

function multisetMinus(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

export function diffDataplane(
  before: NodeDataplane,
  after: NodeDataplane,
  node = after.node,
): DataplaneDiff {
  const b = saveLines(before.nat);
  const a = saveLines(after.nat);
  const names = [
    ...new Set([...before.ipsets.map((s) => s.name), ...after.ipsets.map((s) => s.name)]),
  ];
  const ipsetChanges = names
    .map((set) => {
      const bm = before.ipsets.find((s) => s.name === set)?.members ?? [];
      const am = after.ipsets.find((s) => s.name === set)?.members ?? [];
      return {
        set,
        removed: bm.filter((m) => !am.includes(m)),
        added: am.filter((m) => !bm.includes(m)),
      };
    })
    .filter((c) => c.removed.length || c.added.length);
  return { node, removed: multisetMinus(b, a), added: multisetMinus(a, b), ipsetChanges };
}
