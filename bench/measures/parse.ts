// 8. Parsing at the size limit: `LabService.validate` (what `validate`, the editor's linter
// and `lab:validate` over the WebSocket all run) on files of 50,000 keys, under the 1 MiB
// guard. yaml's own duplicate-key check made this quadratic (26 s in the CLI); the goal is 1 s.
import { nowMs } from '../lib/clock.js';
import type { BenchContext } from '../lib/lab.js';
import type { RunOptions, Section } from '../lib/section.js';
import { summarize } from '../lib/stats.js';
import type { Row } from '../lib/table.js';

const KEYS = 50_000;

/** The shapes that were slow: a flat map, and one resource with that many unknown fields. */
function inputs(): { what: string; text: string }[] {
  const flat = Array.from({ length: KEYS }, (_, i) => `k${i}: v${i}`).join('\n');
  const unknown =
    'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\nspec:\n  cidr: 10.0.0.0/16\n' +
    Array.from({ length: KEYS }, (_, i) => `  x${i}: 1`).join('\n');
  return [
    { what: `flat map of ${KEYS} keys`, text: flat },
    { what: `IPPool with ${KEYS} unknown fields (${KEYS} problems)`, text: unknown },
  ];
}

export async function benchParse(ctx: BenchContext, o: RunOptions): Promise<Section> {
  const reps = o.quick ? 3 : 7;
  const rows: Row[] = [];
  const data: Record<string, number[]> = {};
  for (const { what, text } of inputs()) {
    const ms: number[] = [];
    let problems = 0;
    for (let i = 0; i < reps; i++) {
      const t0 = nowMs();
      const r = ctx.service.validate([{ file: 'big.yaml', text }]);
      ms.push(nowMs() - t0);
      problems = r.problems.length;
    }
    data[what] = ms;
    const s = summarize(ms);
    rows.push({
      measure: `8 validate: ${what}`,
      unit: 'ms',
      summary: s,
      goal: '<= 1000 ms',
      pass: s.p95 <= 1000,
      note: `${Math.round(text.length / 1024)} KiB, ${problems} problems reported`,
    });
  }
  return { id: 'parse', title: 'Parsing at the size limit', rows, data, notes: [] };
}
