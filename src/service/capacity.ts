// How many copies of a lab this machine can hold (issue 18): said up front, before anything
// starts. Memory is what runs out first: every lab container is a network namespace with a few
// small processes (an agent, BIRD, echo servers) and an engine-side shim, and a lab's CPU use is
// near zero once it is up. The figure per container is measured by the workshop bench
// (bench/workshop.ts: 20 copies of a 6-container lab, MemAvailable before and after); the
// estimate keeps a reserve for the engine, the app and the captures the students run.
export const MEMORY_PER_CONTAINER_BYTES = 24 * 1024 * 1024;
export const MEMORY_RESERVE_BYTES = 1024 * 1024 * 1024;
/** Beyond memory: the engine handles a few thousand containers, a 2-core machine's `up` does not. */
export const MAX_CONTAINERS_PER_CORE = 150;

export interface CapacityInput {
  students: number;
  containersPerLab: number;
  /** Memory the kernel can still hand out (MemAvailable; os.freemem()). */
  availableBytes: number;
  cpus: number;
}

export interface CapacityEstimate extends CapacityInput {
  neededBytes: number;
  /** The most copies that fit. */
  maxStudents: number;
  ok: boolean;
  /** One sentence: the estimate, and why it refuses when it does. */
  message: string;
}

const mib = (b: number): string => `${Math.round(b / (1024 * 1024))} MiB`;

export function estimateCapacity(input: CapacityInput): CapacityEstimate {
  const { students, containersPerLab, availableBytes, cpus } = input;
  const perLab = containersPerLab * MEMORY_PER_CONTAINER_BYTES;
  const usable = Math.max(0, availableBytes - MEMORY_RESERVE_BYTES);
  const byMemory = Math.floor(usable / perLab);
  const byCpu = Math.floor((MAX_CONTAINERS_PER_CORE * Math.max(1, cpus)) / containersPerLab);
  const maxStudents = Math.max(0, Math.min(byMemory, byCpu));
  const neededBytes = students * perLab;
  const ok = students <= maxStudents;
  const base =
    `${students} lab${students === 1 ? '' : 's'} of ${containersPerLab} containers need about ` +
    `${mib(neededBytes)} (${mib(MEMORY_PER_CONTAINER_BYTES)} a container); ${mib(availableBytes)} ` +
    `is available, ${mib(MEMORY_RESERVE_BYTES)} kept in reserve; this machine holds at most ` +
    `${maxStudents} (${byMemory <= byCpu ? 'memory' : `${cpus} cores`})`;
  return {
    ...input,
    neededBytes,
    maxStudents,
    ok,
    message: ok ? base : `too many students: ${base}. Nothing was started.`,
  };
}
