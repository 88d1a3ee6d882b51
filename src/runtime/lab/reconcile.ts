// What `up` must do to the containers that already exist so the engine matches the
// plan: pure decisions, tested without an engine.

export interface DesiredContainer {
  name: string; // lab-local
  configHash: string;
}

export interface ExistingContainer {
  id: string;
  name: string; // lab-local, from LABEL_NAME
  role: string;
  state: string; // docker State: running, exited, created, dead…
  configHash: string;
}

export interface ReconcileDecision {
  keep: { name: string; id: string }[]; // running, same config: reuse as is
  create: string[]; // nothing there yet
  replace: { name: string; id: string }[]; // there but changed or not running: remove, then create
  remove: string[]; // ids of containers the plan no longer has, duplicates and helpers
}

export function reconcileContainers(
  desired: readonly DesiredContainer[],
  existing: readonly ExistingContainer[],
): ReconcileDecision {
  const d: ReconcileDecision = { keep: [], create: [], replace: [], remove: [] };
  const byName = new Map<string, ExistingContainer[]>();
  for (const e of existing) {
    if (e.role === 'helper') {
      d.remove.push(e.id); // a helper left over from an interrupted run
      continue;
    }
    byName.set(e.name, [...(byName.get(e.name) ?? []), e]);
  }
  const wanted = new Set(desired.map((c) => c.name));
  for (const [name, list] of byName) {
    if (!wanted.has(name)) d.remove.push(...list.map((e) => e.id));
  }
  for (const want of desired) {
    const list = byName.get(want.name) ?? [];
    const good = list.find((e) => e.state === 'running' && e.configHash === want.configHash);
    if (good) {
      d.keep.push({ name: want.name, id: good.id });
      d.remove.push(...list.filter((e) => e !== good).map((e) => e.id));
    } else if (list.length > 0) {
      const [first, ...rest] = list as [ExistingContainer, ...ExistingContainer[]];
      d.replace.push({ name: want.name, id: first.id });
      d.remove.push(...rest.map((e) => e.id));
    } else {
      d.create.push(want.name);
    }
  }
  return d;
}
