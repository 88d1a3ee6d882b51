// Where an `up` spent its time, from the progress lines' arrival times: each phase runs
// from its first line to the next phase's first line; "ready → return" is what the service
// does after the runtime said ready (status read, record saved).

export interface ProgressMark {
  atMs: number;
  step: string;
}

export function phasesOf(progress: readonly ProgressMark[], endMs: number): Record<string, number> {
  const firsts: ProgressMark[] = [];
  for (const p of progress) if (!firsts.some((f) => f.step === p.step)) firsts.push(p);
  const out: Record<string, number> = {};
  firsts.forEach((p, i) => {
    const next = firsts[i + 1]?.atMs ?? endMs;
    out[p.step === 'ready' ? 'ready → return' : p.step] = Math.round(next - p.atMs);
  });
  return out;
}

export function formatPhases(ph: Record<string, number>, unit: 'ms' | 's' = 'ms'): string {
  return Object.entries(ph)
    .map(([k, v]) => `${k} ${unit === 's' ? (v / 1000).toFixed(1) : v}`)
    .join(', ');
}
