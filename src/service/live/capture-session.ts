// One live tcpdump inside a lab container, as the service runs it.
//
// Design (live lines AND a saveable pcap from one tcpdump):
//   tcpdump -n -l --immediate-mode -i IF -U -w /tmp/egress-lab-cap-ID.pcap -C 32 -W 1 --print [-c N] -- FILTER…
// `--print` makes tcpdump print its usual text lines on stdout while `-w` writes the raw
// packets to a file inside the container, `-U` flushing each packet. Lines stream to the
// service as they come. The pcap is read at any time, during or after the capture, from a
// copy (a snapshot, so a file tcpdump still writes or starts over cannot change under the
// reader) in bounded pieces cut at record boundaries: `snapshot()` then `pcapChunk()` until
// done; nothing reads the whole file into one message. `-C 32 -W 1` bounds the file: past
// ~32 MB tcpdump starts it over, so the pcap holds the last stretch of a long capture.
// Memory in this process is bounded too: a ring of recent packets and a bounded queue of
// events waiting to be emitted. When the queue fills, the exec stream is paused
// (backpressure: tcpdump blocks, the kernel drops and counts); lines that still arrive
// while it is full are dropped and counted (`capture:dropped`).
import type { ExecStream } from '../../runtime/engine/exec.js';
import type { ExecRuntime } from '../service-runtime.js';
import { checkIfname } from '../../runtime/lab/names.js';
import type { CaptureSpec, PacketEvent } from '../api.js';
import { LineSplitter } from '../../runtime/engine/demux.js';
import { readScript } from '../../runtime/util/script-file.js';
import { pcapByteOrder, wholeRecords } from './pcap.js';
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

/** `sh -c PCAP_CHUNK egress-lab-pcap FILE OFFSET LENGTH`: those bytes, base64. */
export const PCAP_CHUNK = readScript('./pcap-chunk.sh', import.meta.url);

/**
 * Bytes of pcap per piece: more than one record can hold (tcpdump's snapshot length,
 * 262144, plus its 16-byte header), so every piece but the last ends on a record.
 */
export const PCAP_CHUNK_BYTES = 512 * 1024;

export interface PcapSnapshot {
  pcapId: string;
  size: number;
}

export interface PcapPiece {
  /** The bytes from `offset` up to `next`, base64. */
  data: Buffer;
  next: number;
  done: boolean;
  packets: number;
}

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
  private snap: { id: string; path: string; size: number; littleEndian: boolean } | undefined;
  private snaps = 0;
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

  /** Bytes [offset, offset + length) of a file in the container. */
  private async readBytes(path: string, offset: number, length: number): Promise<Buffer> {
    const r = await this.runtime.exec(
      this.lab,
      this.container,
      ['sh', '-c', PCAP_CHUNK, 'egress-lab-pcap', path, String(offset), String(length)],
      { timeoutMs: 30_000 },
    );
    const data = Buffer.from(r.stdout.trim(), 'base64');
    if (r.exitCode !== 0 || data.length !== length)
      throw new Error(
        `could not read the pcap of capture ${this.id}: ${r.stderr.trim() || `${data.length} of ${length} bytes`}`,
      );
    return data;
  }

  /**
   * The capture's pcap as a stream, from its first byte and then as tcpdump writes it
   * (`-U`: a packet at a time), until tcpdump ends (`tail --pid`: everything written is sent
   * first). tcpdump starts its file over past the size limit; a live reader then stops there.
   */
  async livePcap(): Promise<ExecStream> {
    await this.ready;
    const pid = await this.proc.pid;
    const tail = this.runtime.execStream(this.lab, this.container, [
      'tail',
      '-c',
      '+1',
      `--pid=${pid}`,
      '-f',
      this.pcapPath,
    ]);
    // A tail that outlives its capture (its --pid check is periodic) is stopped soon after.
    void this.ended.finally(() => {
      setTimeout(() => void tail.kill('TERM').catch(() => undefined), 2000).unref();
    });
    return tail;
  }

  /**
   * Copies the capture so far (tcpdump's own file) aside, to be read in pieces: its size
   * and id. A new snapshot replaces the previous one (whose reads then fail).
   */
  async snapshot(): Promise<PcapSnapshot> {
    const id = String(++this.snaps);
    const path = `/tmp/egress-lab-${this.id}.${id}.pcap`;
    const previous = this.snap;
    this.snap = undefined;
    if (previous) await this.removeSnapshot(previous.path);
    const cp = await this.runtime.exec(this.lab, this.container, [
      'cp',
      '-f',
      '--',
      this.pcapPath,
      path,
    ]);
    if (cp.exitCode !== 0)
      throw new Error(
        `no pcap for capture ${this.id}: ${cp.stderr.trim() || `exit ${cp.exitCode}`}`,
      );
    const st = await this.runtime.exec(this.lab, this.container, ['stat', '-c', '%s', '--', path]);
    const size = Number(st.stdout.trim());
    if (st.exitCode !== 0 || !Number.isSafeInteger(size)) {
      await this.removeSnapshot(path);
      throw new Error(`no pcap for capture ${this.id}: ${st.stderr.trim() || 'no size'}`);
    }
    const littleEndian = pcapByteOrder(await this.readBytes(path, 0, Math.min(size, 24)));
    this.snap = { id, path, size, littleEndian };
    return { pcapId: id, size };
  }

  /**
   * The piece of the snapshot `pcapId` from `offset` (0, or a previous piece's `next`): at
   * most PCAP_CHUNK_BYTES, ending on a record boundary. The last piece drops a partial
   * record (tcpdump was writing it) and removes the snapshot.
   */
  async pcapChunk(pcapId: string, offset: number): Promise<PcapPiece> {
    const snap = this.snap;
    if (!snap || snap.id !== pcapId)
      throw new Error(`the pcap of capture ${this.id} was taken again or is gone: save it again`);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > snap.size)
      throw new Error(`pcap offset ${offset} is outside the file (${snap.size} bytes)`);
    const length = Math.min(PCAP_CHUNK_BYTES, snap.size - offset);
    const last = offset + length >= snap.size;
    const bytes = length > 0 ? await this.readBytes(snap.path, offset, length) : Buffer.alloc(0);
    const { end, packets } = wholeRecords(bytes, offset === 0 ? 24 : 0, snap.littleEndian);
    if (end === 0 && !last)
      throw new Error(`pcap of capture ${this.id}: a record larger than ${PCAP_CHUNK_BYTES} bytes`);
    if (last) {
      this.snap = undefined;
      await this.removeSnapshot(snap.path);
    }
    return { data: bytes.subarray(0, end), next: offset + end, done: last, packets };
  }

  /** The capture so far as one pcap file, read piece by piece (in-process users: CLI, tests). */
  async pcap(): Promise<{ data: Buffer; packets: number }> {
    const { pcapId } = await this.snapshot();
    const parts: Buffer[] = [];
    let packets = 0;
    for (let offset = 0; ;) {
      const piece = await this.pcapChunk(pcapId, offset);
      parts.push(piece.data);
      packets += piece.packets;
      offset = piece.next;
      if (piece.done) break;
    }
    return { data: Buffer.concat(parts), packets };
  }

  private async removeSnapshot(path: string): Promise<void> {
    await this.runtime
      .exec(this.lab, this.container, ['rm', '-f', '--', path])
      .catch(() => undefined);
  }

  /** Removes the pcap file from the container (best effort: the lab may be gone). */
  async removeFile(): Promise<void> {
    const snap = this.snap;
    this.snap = undefined;
    await this.runtime
      .exec(this.lab, this.container, [
        'rm',
        '-f',
        '--',
        this.pcapPath,
        ...(snap ? [snap.path] : []),
      ])
      .catch(() => undefined);
  }
}
