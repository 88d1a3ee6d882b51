// A workshop (issue 18): N copies of one lab, one per student, started together. Each copy is
// an ordinary lab under its own name (`<prefix>-<i>`): its containers are named after it and
// carry its label, so copies never share a container. They keep the lab file's addresses, and
// may: a lab has no Docker network, only veth pairs between its own containers' network
// namespaces, so 172.30.0.11 in one copy and in another are different interfaces in different
// namespaces that no packet crosses between. Nothing is shared that an address plan could
// collide on. What is shared is the machine: the capacity estimate refuses, before anything
// starts, more copies than it can hold.
import { freemem, cpus } from 'node:os';
import { LabInputError } from '../core/errors.js';
import { loadLab } from '../core/lab-file/index.js';
import { planLab } from '../core/plan/plan-lab.js';
import { checkLabName } from '../runtime/lab/names.js';
import type { LabSource, LabStatus } from './api.js';
import { estimateCapacity, type CapacityEstimate } from './capacity.js';

export interface WorkshopHost {
  up(
    sources: LabSource[],
    opts: { name?: string; onProgress?: (step: string, detail?: string) => void },
  ): Promise<LabStatus>;
}

export interface WorkshopPlan {
  labName: string;
  names: string[];
  containersPerLab: number;
  estimate: CapacityEstimate;
}

/** Names and the estimate, or a LabInputError (bad file, bad name, too many students). */
export function planWorkshop(
  sources: LabSource[],
  opts: { students: number; prefix?: string; availableBytes?: number; cpus?: number },
): WorkshopPlan {
  const lab = loadLab(sources); // positioned problems, nothing started
  const prefix = opts.prefix ?? lab.name;
  const names = Array.from({ length: opts.students }, (_, i) => `${prefix}-${i + 1}`);
  for (const n of names) {
    try {
      checkLabName(n);
    } catch (e) {
      throw new LabInputError([{ message: `--prefix ${prefix}: ${(e as Error).message}` }]);
    }
  }
  const containersPerLab = planLab(lab).containers.length;
  const estimate = estimateCapacity({
    students: opts.students,
    containersPerLab,
    availableBytes: opts.availableBytes ?? freemem(),
    cpus: opts.cpus ?? cpus().length,
  });
  return { labName: lab.name, names, containersPerLab, estimate };
}

/**
 * Starts every copy (two at a time: `up` is CPU-bound on the engine's side), after the
 * estimate agreed. Returns each lab's status; a copy that fails is named in the error, the
 * others keep running (`workshop down` removes them).
 */
export async function startWorkshop(
  host: WorkshopHost,
  sources: LabSource[],
  plan: WorkshopPlan,
  onLab?: (name: string, ms: number) => void,
): Promise<LabStatus[]> {
  if (!plan.estimate.ok) throw new LabInputError([{ message: plan.estimate.message }]);
  const out: LabStatus[] = [];
  const queue = [...plan.names];
  const worker = async (): Promise<void> => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const t = performance.now();
      out.push(await host.up(sources, { name }));
      onLab?.(name, Math.round(performance.now() - t));
    }
  };
  await Promise.all([worker(), worker()]);
  return out.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}
