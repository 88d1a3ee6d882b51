// Packets as the benchmark sees them: tcpdump with epoch time stamps (-tt) inside a lab
// container, parsed as they arrive; and traffic generators, all as argv arrays.
import type { ExecStream } from '../../src/runtime/engine/exec.js';
import { LineSplitter } from '../../src/runtime/engine/demux.js';
import type { BenchContext } from './lab.js';
import { nowMs, tcpdumpTimeMs } from './clock.js';

export interface WirePacket {
  tsMs: number; // tcpdump's time stamp (kernel CLOCK_REALTIME)
  seenMs: number; // when this process read the line
  src: string;
  dst: string;
  line: string;
}

export interface WireTap {
  packets: WirePacket[];
  /** Resolves with the first packet matching `pred` (already seen or future), or undefined at timeout. */
  waitFor(pred: (p: WirePacket) => boolean, timeoutMs: number): Promise<WirePacket | undefined>;
  stop(): Promise<void>;
  stats: string[]; // tcpdump's stderr lines (listening, packets captured/dropped)
}

const IP_LINE =
  /^\S+\s+(?:\S+\s+)?IP (\d+\.\d+\.\d+\.\d+)(?:\.\d+)? > (\d+\.\d+\.\d+\.\d+)(?:\.\d+)?:/;

/** IPv6 (ICMPv6 lines have no ports): "IP6 fd00:10:: > 2001:db8:113::10: ICMP6, echo request". */
const IP6_LINE = /^\S+\s+(?:\S+\s+)?IP6 ([0-9a-f:]+) > ([0-9a-f:]+): ICMP6/;

export function parseWireLine(line: string, seenMs: number): WirePacket | undefined {
  const ts = tcpdumpTimeMs(line, seenMs);
  const m = IP_LINE.exec(line) ?? IP6_LINE.exec(line);
  if (ts === undefined || !m) return undefined;
  return { tsMs: ts, seenMs, src: m[1]!, dst: m[2]!, line };
}

/** Starts tcpdump -tt in `container` on `iface` with a BPF filter (argv tokens); resolves when it listens. */
export async function wireTap(
  ctx: BenchContext,
  lab: string,
  container: string,
  iface: string,
  filter: string[],
): Promise<WireTap> {
  const argv = ['tcpdump', '-n', '-tt', '--immediate-mode', '-l', '-i', iface, '--', ...filter];
  const proc: ExecStream = ctx.runtime.execStream(lab, container, argv);
  const packets: WirePacket[] = [];
  const stats: string[] = [];
  const waiters: { pred: (p: WirePacket) => boolean; resolve: (p: WirePacket) => void }[] = [];
  const lines = new LineSplitter((line) => {
    const p = parseWireLine(line, nowMs());
    if (!p) return;
    packets.push(p);
    for (const w of [...waiters]) {
      if (w.pred(p)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p);
      }
    }
  });
  proc.on('stdout', (b: Buffer) => lines.push(b));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`tcpdump in ${container} did not start`)),
      15_000,
    );
    proc.on('stderrLine', (l: string) => {
      stats.push(l);
      if (/^listening on /.test(l)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.done.then(
      (code) => reject(new Error(`tcpdump in ${container} exited (${code}): ${stats.join(' ')}`)),
      reject,
    );
  });
  return {
    packets,
    stats,
    waitFor(pred, timeoutMs) {
      const seen = packets.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const w = { pred, resolve: (p: WirePacket | undefined) => resolve(p) };
        waiters.push(w as never);
        setTimeout(() => {
          const i = waiters.indexOf(w as never);
          if (i >= 0) {
            waiters.splice(i, 1);
            resolve(undefined);
          }
        }, timeoutMs);
      });
    },
    async stop() {
      await proc.kill('TERM');
      await proc.done.catch(() => undefined);
    },
  };
}

/**
 * One ping process per packet, every `intervalS`: each has its own ICMP id and so its own
 * conntrack entry, which is what lets a natOutgoing flip show on the very next packet
 * (one long-running ping keeps its first NAT mapping, as Calico's conntrack would).
 * A constant script; the target address is an argument, never part of the script text.
 */
export const NEW_FLOW_PINGER =
  'while :; do ping -n -q -c 1 -W 1 "$1" >/dev/null 2>&1 & sleep "$2"; done';

export function newFlowPinger(
  ctx: BenchContext,
  lab: string,
  from: string,
  to: string,
  intervalS: number,
): ExecStream {
  return ctx.runtime.execStream(lab, from, [
    'sh',
    '-c',
    NEW_FLOW_PINGER,
    'egress-lab-bench-pinger',
    to,
    String(intervalS),
  ]);
}

/** Packets per second seen in a tap's window [fromMs, toMs]. */
export function rateOf(packets: readonly WirePacket[], fromMs: number, toMs: number): number {
  const n = packets.filter((p) => p.tsMs >= fromMs && p.tsMs <= toMs).length;
  return n / ((toMs - fromMs) / 1000);
}
