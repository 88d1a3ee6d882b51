// Import step: the lab's expect entries, what explain says for each pod towards each host (and
// from the first pod to the others), computed on the lab built without them.
import { explain } from '../explain/explain.js';
import type { Lab } from '../model/lab.js';
import { planLab } from '../plan/plan-lab.js';
import type { ImportContext } from './context.js';

export function expectEntries(ctx: ImportContext, draft: Lab): Record<string, unknown>[] {
  const plan = planLab(draft);
  const expect: Record<string, unknown>[] = [];
  const add = (from: string, to: string) => {
    const e = explain(plan, from, to);
    expect.push({
      from,
      to,
      seenAs: e.seenAs === 'address' ? e.seenSource : e.seenAs,
      reply: e.reply,
    });
  };
  const { pods, hosts } = ctx;
  for (const pod of pods) for (const host of hosts) add(pod.name, host.name);
  const [first, ...rest] = pods;
  if (first) for (const other of rest) add(first.name, other.name);
  return expect;
}
