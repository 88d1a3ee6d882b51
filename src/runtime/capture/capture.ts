// Live tcpdump inside a lab container. Lines arrive as an async iterable; stopping
// (stop(), breaking out of the loop, count or timeout reached) kills tcpdump in the
// container itself, not only our end of the stream.
import type Dockerode from 'dockerode';
import { createWriteStream } from 'node:fs';
import { LineSplitter } from '../engine/demux.js';
import { execStream, type ExecStream } from '../engine/exec.js';
import { classifyStderr, tcpdumpArgv } from './tcpdump.js';

export interface CaptureOptions {
  iface?: string;
  filter?: readonly string[];
  count?: number;
  timeoutMs?: number;
  pcapFile?: string; // write raw pcap here instead of yielding lines
  /** Lines held while the consumer is slow before the stream is paused (backpressure). */
  highWater?: number;
}

export interface CaptureSummary {
  exitCode: number;
  captured?: number;
  received?: number;
  dropped?: number;
  lines: number;
  pcapBytes: number;
  stoppedBy: 'count' | 'timeout' | 'stop' | 'exit';
}

export interface Capture extends AsyncIterable<string> {
  /** Resolves once tcpdump listens (start traffic after this); rejects if it failed to start. */
  readonly ready: Promise<void>;
  readonly done: Promise<CaptureSummary>;
  /** Stops tcpdump inside the container and waits until it has ended. */
  stop(): Promise<CaptureSummary>;
  /** tcpdump's own messages (listening on…, stats, errors). */
  readonly notices: string[];
}

export function startCapture(container: Dockerode.Container, opts: CaptureOptions = {}): Capture {
  const argv = tcpdumpArgv({
    iface: opts.iface,
    filter: opts.filter,
    count: opts.count,
    pcap: !!opts.pcapFile,
  });
  const proc: ExecStream = execStream(container, argv);
  const highWater = opts.highWater ?? 10_000;
  const queue: string[] = [];
  const waiters: ((r: IteratorResult<string>) => void)[] = [];
  const notices: string[] = [];
  const summary: Omit<CaptureSummary, 'exitCode' | 'stoppedBy'> = { lines: 0, pcapBytes: 0 };
  let ended = false;
  let paused = false;
  let stoppedBy: CaptureSummary['stoppedBy'] = 'exit';
  let listening = false;
  let resolveReady!: () => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => undefined);

  const push = (line: string): void => {
    if (line === '') return; // tcpdump ends its output with a blank line
    summary.lines++;
    const w = waiters.shift();
    if (w) return w({ value: line, done: false });
    queue.push(line);
    if (!paused && queue.length >= highWater) {
      paused = true;
      proc.pause();
    }
  };

  const pcapOut = opts.pcapFile ? createWriteStream(opts.pcapFile) : undefined;
  const lines = new LineSplitter(push);
  proc.on('stdout', (b: Buffer) => {
    if (pcapOut) {
      summary.pcapBytes += b.length;
      pcapOut.write(b);
    } else lines.push(b);
  });
  proc.on('stderrLine', (line: string) => {
    const n = classifyStderr(line);
    notices.push(n.text);
    if (n.kind === 'listening' && !listening) {
      listening = true;
      resolveReady();
    }
    if (n.kind === 'stats') {
      if (n.captured !== undefined) summary.captured = n.captured;
      if (n.received !== undefined) summary.received = n.received;
      if (n.dropped !== undefined) summary.dropped = n.dropped;
    }
  });

  // tcpdump says "listening on" within milliseconds; silence means something is wrong.
  const readyTimer = setTimeout(() => {
    if (listening || ended) return;
    rejectReady(new Error(`tcpdump did not start listening within 15 s: ${notices.join(' ')}`));
    void proc.kill('TERM');
  }, 15_000);
  void ready.then(
    () => clearTimeout(readyTimer),
    () => clearTimeout(readyTimer),
  );
  let timer: NodeJS.Timeout | undefined;
  if (opts.timeoutMs) {
    timer = setTimeout(() => {
      stoppedBy = 'timeout';
      void proc.kill('TERM');
    }, opts.timeoutMs);
  }

  const done: Promise<CaptureSummary> = proc.done.then(
    async (exitCode) => {
      clearTimeout(timer);
      lines.end();
      ended = true;
      if (pcapOut) await new Promise<void>((r) => pcapOut.end(r));
      if (!listening)
        rejectReady(new Error(`tcpdump did not start: ${notices.join(' ') || `exit ${exitCode}`}`));
      if (stoppedBy === 'exit' && opts.count !== undefined && exitCode === 0) stoppedBy = 'count';
      for (const w of waiters.splice(0)) w({ value: undefined, done: true });
      return { ...summary, exitCode, stoppedBy };
    },
    (e: Error) => {
      clearTimeout(timer);
      ended = true;
      rejectReady(e);
      for (const w of waiters.splice(0)) w({ value: undefined, done: true });
      throw e;
    },
  );

  // A caller may only await `ready` (its rejection says the same): not an unhandled rejection.
  done.catch(() => undefined);

  const stop = async (): Promise<CaptureSummary> => {
    if (!ended) {
      if (stoppedBy === 'exit') stoppedBy = 'stop';
      if (paused) proc.resume();
      await proc.kill('TERM');
    }
    return done;
  };

  return {
    ready,
    done,
    stop,
    notices,
    [Symbol.asyncIterator](): AsyncIterator<string> {
      return {
        next: () => {
          const v = queue.shift();
          if (paused && queue.length < highWater / 2) {
            paused = false;
            proc.resume();
          }
          if (v !== undefined) return Promise.resolve({ value: v, done: false });
          if (ended) return Promise.resolve({ value: undefined, done: true });
          return new Promise((r) => waiters.push(r));
        },
        return: async () => {
          await stop().catch(() => undefined);
          return { value: undefined, done: true };
        },
      };
    },
  };
}
