// `egress-lab capture NAME -w -`: tcpdump's pcap on this process's stdout as packets arrive,
// so `egress-lab capture tor -w - | wireshark -k -i -` shows them live. tcpdump runs with
// `-U -w -` (a packet-buffered pcap on its stdout) and its bytes are copied through as they
// come; its own messages go to stderr. Ctrl-C, --count, --timeout or the reader going away
// (EPIPE aborts the signal) stop tcpdump inside the container.
import type { CliIO } from './io.js';
import { UsageError } from './errors.js';

/** The part of the lab runtime this needs: one streaming exec. */
export interface PcapStreamRuntime {
  execStream(
    lab: string,
    container: string,
    argv: readonly string[],
  ): {
    on(event: 'stdout', fn: (b: Buffer) => void): unknown;
    on(event: 'stderrLine', fn: (line: string) => void): unknown;
    readonly done: Promise<number>;
    kill(signal?: 'TERM' | 'INT' | 'KILL'): Promise<void>;
  };
}

export interface PcapStreamOptions {
  lab: string;
  container: string;
  iface?: string;
  count?: number;
  timeoutS?: number;
  filter: readonly string[];
}

/** tcpdump's argv: pcap on stdout, flushed per packet; a filter word never becomes an option. */
export function pcapStreamArgv(o: Pick<PcapStreamOptions, 'iface' | 'count' | 'filter'>): string[] {
  const iface = o.iface ?? 'any';
  if (!/^[A-Za-z0-9_.@-]{1,15}$/.test(iface) || iface === '.' || iface === '..')
    throw new UsageError(`--iface: '${iface}' is not an interface name`);
  const argv = ['tcpdump', '-n', '--immediate-mode', '-i', iface, '-U', '-w', '-'];
  if (o.count !== undefined) argv.push('-c', String(o.count));
  if (o.filter.length) argv.push('--', ...o.filter);
  return argv;
}

/** Streams the pcap to `io.outBytes`; resolves with tcpdump's exit status (0 when stopped). */
export async function streamPcap(
  io: CliIO,
  rt: PcapStreamRuntime,
  o: PcapStreamOptions,
): Promise<number> {
  const write = io.outBytes;
  if (!write) throw new Error('this output cannot take binary data');
  const proc = rt.execStream(o.lab, o.container, pcapStreamArgv(o));
  let bytes = 0;
  let stopped = false;
  proc.on('stdout', (b) => {
    bytes += b.length;
    write(b);
  });
  proc.on('stderrLine', (line) => {
    if (line.trim()) io.err(`${line.trim()}\n`);
  });
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    void proc.kill('INT').catch(() => undefined);
  };
  io.signal.addEventListener('abort', stop);
  const timer = o.timeoutS ? setTimeout(stop, o.timeoutS * 1000) : undefined;
  try {
    const code = await proc.done;
    io.err(`capture ended: ${bytes} bytes of pcap written\n`);
    // tcpdump stopped by SIGINT exits 0; a real failure (bad filter, no such interface) not.
    return stopped ? 0 : code;
  } finally {
    clearTimeout(timer);
    io.signal.removeEventListener('abort', stop);
  }
}
