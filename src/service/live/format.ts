// Text forms of live results for the CLI (and anything else printing plain text).
import type { ConntrackEntry, ConntrackTuple, TrafficStats } from '../api.js';
import type { CheckReport } from './check.js';
import { expectText } from './check.js';

/** address:port, IPv6 in brackets ([fd00:10::]:43075) so the port reads apart from the address. */
function hostPort(a: string, port: number): string {
  return a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`;
}

function tupleText(t: ConntrackTuple): string {
  if (t.icmpId !== undefined) return `${t.src} -> ${t.dst} id=${t.icmpId}`;
  if (t.sport !== undefined && t.dport !== undefined)
    return `${hostPort(t.src, t.sport)} -> ${hostPort(t.dst, t.dport)}`;
  return `${t.src} -> ${t.dst}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
          .join('   ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** One line per entry: original and reply tuples, and SNAT marked with what the source became. */
export function formatConntrack(entries: readonly ConntrackEntry[]): string {
  if (!entries.length) return 'no conntrack entries\n';
  const rows = [['PROTO', 'ORIGINAL', 'REPLY', 'STATE', 'NAT']];
  for (const e of entries) {
    rows.push([
      e.protocol,
      tupleText(e.original),
      tupleText(e.reply),
      [e.state, ...(e.flags ?? [])].filter(Boolean).join(',') || '-',
      e.translated ? `SNAT ${e.original.src} -> ${e.translatedTo ?? e.reply.dst}` : '-',
    ]);
  }
  const translated = entries.filter((e) => e.translated).length;
  return table(rows) + `${entries.length} entries, ${translated} translated\n`;
}

export function formatCheck(report: CheckReport): string {
  const out: string[] = [];
  if (report.started) out.push(`started lab ${report.lab}`);
  for (const e of report.entries) {
    out.push(`${e.ok ? 'PASS' : 'FAIL'}  ${expectText(e.expectation)}`);
    out.push(`      seen: ${e.summary}`);
    for (const m of e.mismatches) out.push(`      why:  ${m}`);
  }
  for (const n of report.notes) out.push(`note: ${n}`);
  const passed = report.entries.filter((e) => e.ok).length;
  out.push(`${passed}/${report.entries.length} expectations hold on lab ${report.lab}`);
  return out.join('\n') + '\n';
}

export function formatTrafficStats(s: TrafficStats, now = Date.now()): string {
  const last =
    s.lastReplyAt !== undefined
      ? `, last reply ${((now - s.lastReplyAt) / 1000).toFixed(1)} s ago`
      : ', no reply yet';
  const seen = s.lastSeen ? `, server saw ${s.lastSeen}` : '';
  return `${s.from ?? ''} -> ${s.to ?? ''} ${s.protocol ?? ''}: sent ${s.sent}, received ${s.received}${last}${seen}${s.error ? ` (${s.error})` : ''}`;
}
