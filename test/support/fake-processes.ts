// Processes of a simulated lab as the service sees them through exec: an ExecStream whose
// output is what the real tool prints (tcpdump 4.99 text lines, iputils ping, the traffic
// loop's "sent/ok/fail" lines), so the service's own parsing and sessions run unchanged.
import { EventEmitter } from 'node:events';
import type { ExecStream } from '../../src/runtime/engine/exec.js';
import { cidrContains } from '../../src/core/net/cidr.js';
import type { Sighting } from './fake-wire.js';

let nextPid = 100;

/** A running process: stdout/stderr as the exec stream emits them, ended by `exit`. */
export class FakeProcess extends EventEmitter implements ExecStream {
  readonly pid = Promise.resolve(nextPid++);
  readonly done: Promise<number>;
  private finish!: (code: number) => void;
  private paused = false;
  private held: Buffer[] = [];
  exited = false;
  /** What a signal does; the default ends the process as the signal would. */
  onSignal: (signal: 'TERM' | 'INT' | 'KILL') => void = (s) =>
    this.exit(s === 'INT' ? 130 : s === 'KILL' ? 137 : 143);

  constructor(readonly argv: readonly string[]) {
    super();
    this.done = new Promise<number>((r) => (this.finish = r));
  }

  stdout(line: string): void {
    const b = Buffer.from(`${line}\n`);
    if (this.paused) this.held.push(b);
    else this.emit('stdout', b);
  }

  /** Raw bytes on stdout (a pcap stream), held while paused like lines. */
  stdoutBytes(b: Buffer): void {
    if (this.paused) this.held.push(b);
    else this.emit('stdout', b);
  }

  stderr(line: string): void {
    this.emit('stderr', Buffer.from(`${line}\n`));
    this.emit('stderrLine', line);
  }

  exit(code: number): void {
    if (this.exited) return;
    this.resume();
    this.exited = true;
    this.emit('exit', code);
    this.finish(code);
  }

  kill(signal: 'TERM' | 'INT' | 'KILL' = 'TERM'): Promise<void> {
    if (!this.exited) this.onSignal(signal);
    return Promise.resolve();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const b of this.held.splice(0)) this.emit('stdout', b);
  }
}

// ---- tcpdump -------------------------------------------------------------------------

/** tcpdump's clock column (the lab's containers run on UTC). */
export function tcpdumpTime(ms = Date.now()): string {
  const d = new Date(ms);
  const micro = String(d.getUTCMilliseconds() * 1000 + Math.floor(Math.random() * 1000));
  return `${d.toISOString().slice(11, 19)}.${micro.padStart(6, '0')}`;
}

/** One packet as `tcpdump -n -l` prints it: on `-i any` with the interface and direction. */
export function tcpdumpLine(s: Sighting, any: boolean, seq: number, time = tcpdumpTime()): string {
  const link = any ? `${s.iface}  ${s.direction.padEnd(3)} ` : '';
  let body: string;
  if (s.protocol === 'icmp') {
    const type = s.reply ? 'echo reply' : 'echo request';
    body = `IP ${s.src} > ${s.dst}: ICMP ${type}, id ${s.sport}, seq ${seq}, length 64`;
  } else if (s.protocol === 'udp') {
    body = `IP ${s.src}.${s.sport} > ${s.dst}.${s.dport}: UDP, length ${s.reply ? 20 : 18}`;
  } else {
    const flags = s.reply ? 'S.' : 'S';
    body =
      `IP ${s.src}.${s.sport} > ${s.dst}.${s.dport}: Flags [${flags}], seq ${seq * 1000}, ` +
      `win 64240, options [mss 1460,sackOK,TS val ${seq} ecr 0,nop,wscale 7], length 0`;
  }
  return `${time} ${link}${body}`;
}

/**
 * The BPF subset the service and the UI use: icmp/tcp/udp/ip, [src|dst] host/net/port,
 * icmp[icmptype] == icmp-echo|icmp-echoreply, and/or/not (&&, ||, !) and parentheses.
 * Anything else is a syntax error, as tcpdump says it.
 */
export function compileFilter(words: readonly string[]): (s: Sighting) => boolean {
  const t = words.flatMap((w) => w.split(/(\(|\))/).filter(Boolean));
  let i = 0;
  const fail = (): never => {
    throw new Error('syntax error in filter expression: syntax error');
  };
  const peek = (): string | undefined => t[i];
  const take = (): string => t[i++] ?? fail();
  type F = (s: Sighting) => boolean;
  const addr = (dir: string | undefined, pick: (a: string) => boolean): F => {
    if (dir === 'src') return (s) => pick(s.src);
    if (dir === 'dst') return (s) => pick(s.dst);
    return (s) => pick(s.src) || pick(s.dst);
  };
  const port = (dir: string | undefined, n: number): F => {
    if (dir === 'src') return (s) => s.protocol !== 'icmp' && s.sport === n;
    if (dir === 'dst') return (s) => s.protocol !== 'icmp' && s.dport === n;
    return (s) => s.protocol !== 'icmp' && (s.sport === n || s.dport === n);
  };
  const primary = (): F => {
    const w = take();
    if (w === '(') {
      const e = or();
      if (take() !== ')') fail();
      return e;
    }
    if (w === 'not' || w === '!') {
      const e = primary();
      return (s) => !e(s);
    }
    if (w === 'icmp' || w === 'tcp' || w === 'udp') return (s) => s.protocol === w;
    if (w === 'ip') return () => true;
    if (w === 'icmp[icmptype]' || w === 'icmp[0]') {
      if (take() !== '==') fail();
      const v = take();
      const reply = v === 'icmp-echoreply' || v === '0';
      if (!reply && v !== 'icmp-echo' && v !== '8') fail();
      return (s) => s.protocol === 'icmp' && s.reply === reply;
    }
    let dir: string | undefined;
    let kind = w;
    if (w === 'src' || w === 'dst') {
      dir = w;
      kind = peek() === 'host' || peek() === 'net' || peek() === 'port' ? take() : 'host';
    }
    if (kind === 'host') {
      const a = take();
      if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(a)) fail();
      return addr(dir, (x) => x === a);
    }
    if (kind === 'net') {
      const c = take();
      if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(c)) fail();
      return addr(dir, (x) => cidrContains(c, x));
    }
    if (kind === 'port') {
      const n = Number(take());
      if (!Number.isInteger(n) || n < 0 || n > 65535) fail();
      return port(dir, n);
    }
    return fail();
  };
  const and = (): F => {
    let e = primary();
    while (peek() === 'and' || peek() === '&&') {
      take();
      const l = e;
      const r = primary();
      e = (s) => l(s) && r(s);
    }
    return e;
  };
  const or = (): F => {
    let e = and();
    while (peek() === 'or' || peek() === '||') {
      take();
      const l = e;
      const r = and();
      e = (s) => l(s) || r(s);
    }
    return e;
  };
  if (!t.length) return () => true;
  const e = or();
  if (i < t.length) fail();
  return e;
}

// ---- pcap ------------------------------------------------------------------------------

const LINKTYPE_RAW = 101; // records are bare IPv4 packets

export function pcapHeader(): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(262144, 16);
  h.writeUInt32LE(LINKTYPE_RAW, 20);
  return h;
}

/** One record: an IPv4 header and the transport header of the sighting. */
export function pcapRecord(s: Sighting, seq: number, ms = Date.now()): Buffer {
  const l4 = Buffer.alloc(s.protocol === 'tcp' ? 20 : 8);
  if (s.protocol === 'icmp') {
    l4.writeUInt8(s.reply ? 0 : 8, 0);
    l4.writeUInt16BE(s.sport & 0xffff, 4);
    l4.writeUInt16BE(seq & 0xffff, 6);
  } else {
    l4.writeUInt16BE(s.sport, 0);
    l4.writeUInt16BE(s.dport, 2);
    if (s.protocol === 'udp') l4.writeUInt16BE(8, 4);
    else {
      l4.writeUInt8(0x50, 12);
      l4.writeUInt8(s.reply ? 0x12 : 0x02, 13);
    }
  }
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(20 + l4.length, 2);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(s.protocol === 'icmp' ? 1 : s.protocol === 'tcp' ? 6 : 17, 9);
  s.src.split('.').forEach((o, k) => ip.writeUInt8(Number(o), 12 + k));
  s.dst.split('.').forEach((o, k) => ip.writeUInt8(Number(o), 16 + k));
  const rec = Buffer.alloc(16);
  rec.writeUInt32LE(Math.floor(ms / 1000), 0);
  rec.writeUInt32LE((ms % 1000) * 1000, 4);
  rec.writeUInt32LE(ip.length + l4.length, 8);
  rec.writeUInt32LE(ip.length + l4.length, 12);
  return Buffer.concat([rec, ip, l4]);
}
