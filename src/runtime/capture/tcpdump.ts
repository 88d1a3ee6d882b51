// tcpdump's argv and its stderr chatter: pure helpers for capture.ts.
import { checkIfname } from '../lab/names.js';

export interface TcpdumpOptions {
  iface?: string; // default "any"
  filter?: readonly string[]; // BPF expression as argv tokens
  count?: number;
  pcap?: boolean; // raw pcap on stdout instead of text lines
  snaplen?: number;
}

export function tcpdumpArgv(o: TcpdumpOptions): string[] {
  const iface = o.iface === undefined || o.iface === 'any' ? 'any' : checkIfname(o.iface);
  // -n: no DNS; --immediate-mode: no libpcap buffer timeout (latency);
  // -l: line-buffered text; -U -w -: packet-buffered pcap on stdout.
  const argv = ['tcpdump', '-n', '--immediate-mode', '-i', iface];
  if (o.pcap) argv.push('-U', '-w', '-');
  else argv.push('-l');
  if (o.count !== undefined) {
    if (!Number.isInteger(o.count) || o.count < 1)
      throw new Error(`capture count must be a positive integer, got ${o.count}`);
    argv.push('-c', String(o.count));
  }
  if (o.snaplen !== undefined) argv.push('-s', String(Math.max(0, Math.floor(o.snaplen))));
  const filter = o.filter ?? [];
  // "--" ends option parsing: a filter token can never become a tcpdump option.
  if (filter.length) argv.push('--', ...filter);
  return argv;
}

/** tcpdump's own status lines on stderr. */
export type TcpdumpNotice =
  | { kind: 'listening'; text: string }
  | { kind: 'stats'; captured?: number; received?: number; dropped?: number; text: string }
  | { kind: 'info'; text: string }
  | { kind: 'error'; text: string };

export function classifyStderr(line: string): TcpdumpNotice {
  const text = line.trim();
  // Text mode prints "listening on …"; with -w, tcpdump prefixes it with "tcpdump: ".
  if (/^(tcpdump: )?listening on /.test(text)) return { kind: 'listening', text };
  let m = /^(\d+) packets? captured/.exec(text);
  if (m) return { kind: 'stats', captured: Number(m[1]), text };
  m = /^(\d+) packets? received by filter/.exec(text);
  if (m) return { kind: 'stats', received: Number(m[1]), text };
  m = /^(\d+) packets? dropped by kernel/.exec(text);
  if (m) return { kind: 'stats', dropped: Number(m[1]), text };
  if (/^tcpdump: (verbose output suppressed|data link type)/.test(text))
    return { kind: 'info', text };
  if (/^tcpdump: /.test(text)) return { kind: 'error', text };
  return { kind: 'info', text };
}
