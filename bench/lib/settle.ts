// Waits until the machine is quiet before a timed step, so that a step does not pay for
// the previous one's asynchronous cleanup (the kernel frees removed containers' network
// namespaces and cgroups in workers, after the engine has answered). Both sides of a
// comparison (lab up and the floor) get the same wait.
import { readFileSync } from 'node:fs';
import { sleep } from './clock.js';

function cpuTicks(): { busy: number; total: number } | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
    const n = f.map(Number);
    const total = n.reduce((a, b) => a + b, 0);
    return { busy: total - (n[3] ?? 0) - (n[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

/**
 * Resolves once the CPUs were at most `maxBusy` busy over two consecutive 50 ms windows,
 * or after `maxMs`; a fixed pause where /proc/stat cannot be read. Returns the time waited.
 */
export async function settle(maxBusy = 0.15, maxMs = 3000): Promise<number> {
  const t0 = performance.now();
  let prev = cpuTicks();
  if (!prev) {
    await sleep(300);
    return performance.now() - t0;
  }
  let quiet = 0;
  while (performance.now() - t0 < maxMs) {
    await sleep(50);
    const cur = cpuTicks()!;
    const d = cur.total - prev.total;
    quiet = d > 0 && (cur.busy - prev.busy) / d <= maxBusy ? quiet + 1 : 0;
    prev = cur;
    if (quiet >= 2) break;
  }
  return performance.now() - t0;
}
