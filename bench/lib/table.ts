// The table `npm run bench` prints: one row per figure with median, p95 and the goal.
import type { Summary } from './stats.js';

export interface Row {
  measure: string;
  unit: string;
  summary: Summary;
  goal?: string;
  /** Whether the goal is met; undefined when the row has no goal of its own. */
  pass?: boolean;
  note?: string;
}

const fmt = (v: number): string =>
  !Number.isFinite(v) ? '-' : Math.abs(v) >= 100 ? String(Math.round(v)) : v.toFixed(1);

export function formatTable(rows: readonly Row[], markdown = false): string {
  const header = ['measurement', 'n', 'median', 'p95', 'unit', 'goal', 'met', 'note'];
  const body = rows.map((r) => [
    r.measure,
    String(r.summary.n),
    fmt(r.summary.median),
    fmt(r.summary.p95),
    r.unit,
    r.goal ?? '',
    r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
    r.note ?? '',
  ]);
  if (markdown) {
    const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
    return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
  }
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i >= 1 && i <= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
