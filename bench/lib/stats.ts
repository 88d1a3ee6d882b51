// Order statistics for the benchmark table: nearest-rank percentiles, no interpolation,
// so a p95 of 20 samples is the 19th smallest (one sample may exceed it).

export interface Summary {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: readonly number[]): Summary {
  const s = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return {
    n: s.length,
    median: percentile(s, 50),
    p95: percentile(s, 95),
    min: s[0] ?? NaN,
    max: s[s.length - 1] ?? NaN,
  };
}
