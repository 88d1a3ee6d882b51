// Labels that satisfy a Calico selector, so an imported lab can give its nodes labels that a
// pool's (or a BGPPeer's) nodeSelector matches. Small search: every label the expression names
// takes one of the values it mentions, a value it does not mention, or is absent; the first
// combination the real evaluator accepts wins (deterministic: the order is fixed).
import { evaluate, parseSelector, type SelectorNode } from '../calico/selector.js';

const MAX_KEYS = 8;
const OTHER_VALUE = 'lab';

function collect(node: SelectorNode, into: Map<string, Set<string>>): void {
  const add = (label: string, values: string[]) => {
    const set = into.get(label) ?? new Set<string>();
    for (const v of values) set.add(v);
    into.set(label, set);
  };
  switch (node.op) {
    case 'all':
    case 'global':
      return;
    case 'has':
      return add(node.label, []);
    case 'in':
    case 'not in':
      return add(node.label, node.values);
    case 'not':
      return collect(node.operand, into);
    case 'and':
    case 'or':
      for (const o of node.operands) collect(o, into);
      return;
    default:
      return add(node.label, [node.value]);
  }
}

/**
 * The smallest-first label set that `expr` selects, starting from `base` (labels the node
 * already has, kept as they are); undefined when none is found (e.g. `!all()`, or a
 * contradiction like `a == 'x' && a == 'y'`). Throws SelectorSyntaxError on a bad expression.
 */
export function labelsSatisfying(
  expr: string,
  base: Record<string, string> = {},
): Record<string, string> | undefined {
  const root = parseSelector(expr).root;
  const mentioned = new Map<string, Set<string>>();
  collect(root, mentioned);
  const keys = [...mentioned.keys()].filter((k) => !(k in base)).slice(0, MAX_KEYS);
  // Per key: absent first (fewest labels), then the values the selector names, then another.
  const choices = keys.map((k) => [
    undefined,
    ...[...mentioned.get(k)!],
    [...mentioned.get(k)!].includes(OTHER_VALUE) ? `${OTHER_VALUE}-2` : OTHER_VALUE,
  ]);
  const pick = new Array<number>(keys.length).fill(0);
  for (;;) {
    const labels: Record<string, string> = { ...base };
    keys.forEach((k, i) => {
      const v = choices[i]![pick[i]!];
      if (v !== undefined) labels[k] = v;
    });
    if (evaluate(root, labels)) return labels;
    // Next combination (odometer).
    let i = 0;
    while (i < pick.length && ++pick[i]! >= choices[i]!.length) pick[i++] = 0;
    if (i === pick.length) return undefined;
  }
}
