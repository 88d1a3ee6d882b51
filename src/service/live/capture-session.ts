// One live tcpdump inside a lab container, as the service runs it.
//
// Design (live lines AND a saveable pcap from one tcpdump):
//   tcpdump -n -l --immediate-mode -i IF -U -w /tmp/egress-lab-cap-ID.pcap -C 32 -W 1 --print [-c N] -- FILTER…
// `--print` makes tcpdump print its usual text lines on stdout while `-w` writes the raw
// packets to a file inside the container, `-U` flushing each packet. Lines stream to the
// service as they come; `pcap()` reads the file (base64 over exec) at any time, during or
// after the capture. `-C 32 -W 1` bounds the file: past ~32 MB tcpdump starts it over.
// Memory in this process is bounded too: a ring of recent packets and a bounded queue of
// events waiting to be emitted. When the queue fills, the exec stream is paused
// (backpressure: tcpdump blocks, the kernel drops and counts); lines that still arrive
// while it is full are dropped and counted (`capture:dropped`).
import type { ExecStream } from '../../runtime/engine/exec.js';
import type { ExecRuntime } from '../service-runtime.js';
import { checkIfname } from '../../runtime/lab/names.js';
import type { CaptureSpec, PacketEvent } from '../api.js';
import { LineSplitter } from '../../runtime/engine/demux.js';
import { readPcapInfo } from './pcap.js';
import { parseTcpdumpLine } from './tcpdump-line.js';

export interface CaptureLimits {
  ring: number; // recent packets kept for late viewers
  queueMax: number; // events waiting to be emitted; more are dropped
  pauseAt: number; // pause the stream at this many waiting
  resumeAt: number;
  batch: number; // events emitted per turn of the event loop
  pcapLimitMb: number;
}

export const DEFAULT_CAPTURE_LIMITS: CaptureLimits = {
  ring: 2000,
  queueMax: 4096,
  pauseAt: 2048,
  resumeAt: 256,
  batch: 256,
  pcapLimitMb: 32,
};

export interface CaptureSinks {
  packet(p: PacketEvent): void;
  dropped(captureId: string, dropped: number): void;
  ended(captureId: string, reason: string): void;
}

const MAX_FILTER_TOKENS = 64;

/** The filter as argv tokens: a string is split on whitespace, never handed to a shell. */
export function filterTokens(filter: string | readonly string[] | undefined): string[] {
  const tokens =
    filter === undefined
      ? []
      : typeof filter === 'string'
        ? filter.trim().split(/\s+/).filter(Boolean)
        : [...filter];
  if (tokens.length > MAX_FILTER_TOKENS)
    throw new Error(`capture filter: at most ${MAX_FILTER_TOKENS} words`);
  for (const t of tokens) {
    if (typeof t !== 'string' || t.length === 0 || t.length > 200 || /[\0\n]/.test(t)) {
      throw new Error(`capture filter: bad word ${JSON.stringify(t)}`);
    }
  }
  return tokens;
}

export function captureArgv(o: {
  iface?: string;
  filter: readonly string[];
  pcapPath: string;
  count?: number;
  pcapLimitMb: number;
}): string[] {
  const iface = o.iface === undefined || o.iface === 'any' ? 'any' : checkIfname(o.iface);
  const argv = [
    'tcpdump',
    '-n',
    '-l',
    '--immediate-mode',
    '-i',
    iface,
    '-U',
    '-w',
    o.pcapPath,
    '--print',
  ];
  argv.push('-C', String(o.pcapLimitMb), '-W', '1');
  if (o.count !== undefined) {
    if (!Number.isInteger(o.count) || o.count < 1)
      throw new Error(`capture count must be a positive integer, got ${o.count}`);
    argv.push('-c', String(o.count));
  }
  if (o.filter.length) argv.push('--', ...o.filter); // a filter word can never become an option
  return argv;
}

export class CaptureSession {
  readonly lab: string;
  readonly container: string;
  readonly pcapPath: string;
  readonly ready: Promise<void>;
  readonly ended: Promise<string>;
  /** tcpdump's stderr: "listening on …", statistics, errors. */
  readonly notices: string[] = [];
  total = 0;
  dropped = 0;
  kernelDropped = 0;
  endReason: string | undefined;
  private readonly ring: PacketEvent[] = [];
  private readonly queue: PacketEvent[] = [];
  private readonly proc: ExecStream;
  private paused = false;
  private draining = false;
  private stopping: string | undefined;
  private droppedTimer: NodeJS.Timeout | undefined;
  private timeout: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<{
    match: (p: PacketEvent) => boolean;
    resolve: (p: PacketEvent) => void;
  }>();

  constructor(
    readonly id: string,
    readonly spec: CaptureSpec,
    private readonly runtime: ExecRuntime,
    private readonly sinks: CaptureSinks,
    private readonly limits: CaptureLimits = DEFAULT_CAPTURE_LIMITS,
  ) {
    this.lab = spec.lab;
    this.container = spec.container;
    this.pcapPath = `/tmp/egress-lab-${id}.pcap`;
    const argv = captureArgv({
      iface: spec.iface,
      filter: filterTokens(spec.filterWords ?? spec.filter),
      pcapPath: this.pcapPath,
      count: spec.count,
      pcapLimitMb: limits.pcapLimitMb,
    });
    this.proc = runtime.execStream(spec.lab, spec.container, argv);
    const lines = new LineSplitter((l) => this.onLine(l));
    this.proc.on('stdout', (b: Buffer) => lines.push(b));
    let resolveReady!: () => void;
    let rejectReady!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    this.ready.catch(() => undefined);
    let listening = false;
    this.proc.on('stderrLine', (line: string) => {
      const text = line.trim();
      if (!text) return;
      this.notices.push(text);
      if (this.notices.length > 50) this.notices.shift();
      // "listening on …" (or "tcpdump: listening on …" when writing a file)
      if (!listening && /(^|: )listening on /.test(text)) {
        listening = true;
        resolveReady();
      }
      const k = /^(\d+) packets? dropped by kernel/.exec(text);
      if (k) this.kernelDropped = Number(k[1]);
    });
    if (spec.timeoutMs !== undefined) {
      this.timeout = setTimeout(() => void this.stop('timeout'), spec.timeoutMs);
    }
    this.ended = this.proc.done
      .then(
        (code) => {
          lines.end();
          const why =
            this.stopping ??
            (spec.count !== undefined && code === 0
              ? 'count reached'
              : `tcpdump exited (${code})${this.errorText() ? `: ${this.errorText()}` : ''}`);
          return why;
        },
        (e: Error) => `tcpdump could not run: ${e.message}`,
      )
      .then((reason) => {
        clearTimeout(this.timeout);
        if (!listening)
          rejectReady(
            new Error(`tcpdump did not start in ${spec.container}: ${this.errorText() || reason}`),
          );
        this.flushQueue();
        this.endReason = reason;
        if (this.droppedTimer) {
          clearTimeout(this.droppedTimer);
          this.droppedTimer = undefined;
          this.sinks.dropped(this.id, this.dropped);
        }
        this.sinks.ended(this.id, reason);
        return reason;
      });
  }

  private errorText(): string {
    return this.notices
      .filter((n) => /^tcpdump: /.test(n) && !/listening on|data link type|verbose output/.test(n))
      .join('; ');
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    const p: PacketEvent = {
      captureId: this.id,
      ...parseTcpdumpLine(line),
      receivedAt: Date.now(),
    };
    this.total++;
    this.ring.push(p);
    if (this.ring.length > this.limits.ring) this.ring.shift();
    for (const w of this.waiters) {
      if (w.match(p)) {
        this.waiters.delete(w);
        w.resolve(p);
      }
    }
    if (this.queue.length >= this.limits.queueMax) {
      this.dropped++;
      this.droppedTimer ??= setTimeout(() => {
        this.droppedTimer = undefined;
        this.sinks.dropped(this.id, this.dropped);
      }, 250);
      return;
    }
    this.queue.push(p);
    if (!this.paused && this.queue.length >= this.limits.pauseAt) {
      this.paused = true;
      this.proc.pause();
    }
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => {
      this.draining = false;
      const n = Math.min(this.limits.batch, this.queue.length);
      for (const p of this.queue.splice(0, n)) this.sinks.packet(p);
      if (this.paused && this.queue.length <= this.limits.resumeAt) {
        this.paused = false;
        this.proc.resume();
      }
      if (this.queue.length) this.scheduleDrain();
    });
  }

  private flushQueue(): void {
    for (const p of this.queue.splice(0)) this.sinks.packet(p);
  }

  /** Recent packets (at most the ring size), oldest first. */
  packets(): PacketEvent[] {
    return [...this.ring];
  }

  /** The first packet (already seen or still to come) that matches, or undefined after timeoutMs. */
  waitFor(match: (p: PacketEvent) => boolean, timeoutMs: number): Promise<PacketEvent | undefined> {
    const seen = this.ring.find(match);
    if (seen) return Promise.resolve(seen);
    return this.waitForNext(match, timeoutMs);
  }

  /** The next packet from now on that matches, or undefined after timeoutMs. */
  waitForNext(
    match: (p: PacketEvent) => boolean,
    timeoutMs: number,
  ): Promise<PacketEvent | undefined> {
    return new Promise((resolve) => {
      const w = {
        match,
        resolve: (p: PacketEvent | undefined) => {
          clearTimeout(timer);
          resolve(p);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.add(w);
      void this.ended.then(() => {
        if (this.waiters.delete(w)) w.resolve(undefined);
      });
    });
  }

  /** Stops tcpdump in the container and waits until it has ended. */
  async stop(reason = 'stopped'): Promise<string> {
    if (this.endReason !== undefined) return this.endReason;
    this.stopping ??= reason;
    if (this.paused) {
      this.paused = false;
      this.proc.resume();
    }
    await this.proc.kill('TERM').catch(() => undefined);
    return this.ended;
  }

  /** The capture so far as a pcap file (tcpdump's own file, read from the container). */
  async pcap(): Promise<{ data: Buffer; packets: number }> {
    const r = await this.runtime.exec(this.lab, this.container, ['base64', '-w0', this.pcapPath]);
    if (r.exitCode !== 0)
      throw new Error(`no pcap for capture ${this.id}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
    const all = Buffer.from(r.stdout.trim(), 'base64');
    // While tcpdump writes, the file may end inside a record: cut there.
    const info = readPcapInfo(all);
    return { data: all.subarray(0, info.completeBytes), packets: info.packets };
  }

  /** Removes the pcap file from the container (best effort: the lab may be gone). */
  async removeFile(): Promise<void> {
    await this.runtime
      .exec(this.lab, this.container, ['rm', '-f', '--', this.pcapPath])
      .catch(() => undefined);
  }
}
