// Samples this process's memory (the lab service runs in it) while a measurement runs.

export interface MemoryPeak {
  baselineRssMiB: number;
  peakRssMiB: number;
  peakHeapUsedMiB: number;
  samples: number;
}

const MiB = 2 ** 20;

export function sampleMemory(everyMs = 50): { stop(): MemoryPeak } {
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  let samples = 0;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    samples++;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const round = (b: number): number => Math.round((b / MiB) * 10) / 10;
      return {
        baselineRssMiB: round(base.rss),
        peakRssMiB: round(peakRss),
        peakHeapUsedMiB: round(peakHeap),
        samples,
      };
    },
  };
}
