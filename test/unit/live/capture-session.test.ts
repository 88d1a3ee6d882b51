// CaptureSession's buffering against a fake exec stream (no engine): lines become events,
// a flood pauses the stream and past the bound is dropped and counted, stop kills tcpdump.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { PacketEvent } from '../../../src/service/api.js';
import { CaptureSession } from '../../../src/service/live/capture-session.js';
import type { LabRuntime } from '../../../src/runtime/lab/lab-runtime.js';

const LINE =
  '19:38:32.049107 eth0  In  IP 172.30.0.11 > 203.0.113.10: ICMP echo request, id 52112, seq 1, length 64\n';

function fakeRuntime() {
  const proc = new EventEmitter() as EventEmitter & Record<string, unknown>;
  let finish!: (code: number) => void;
  const calls: string[] = [];
  let argv: readonly string[] = [];
  Object.assign(proc, {
    pid: Promise.resolve(42),
    done: new Promise<number>((r) => (finish = r)),
    kill: async (sig: string) => {
      calls.push(`kill ${sig}`);
      proc.emit('stderrLine', '3 packets captured');
      finish(0);
    },
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
  });
  const runtime = {
    execStream: (_lab: string, _c: string, a: readonly string[]) => {
      argv = a;
      return proc;
    },
    exec: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
  } as unknown as LabRuntime;
  return { runtime, proc, calls, argv: () => argv, finish: (c: number) => finish(c) };
}

function sinks() {
  const packets: PacketEvent[] = [];
  const dropped: number[] = [];
  const ended: string[] = [];
  return {
    packets,
    dropped,
    ended,
    sinks: {
      packet: (p: PacketEvent) => packets.push(p),
      dropped: (_id: string, n: number) => dropped.push(n),
      ended: (_id: string, r: string) => ended.push(r),
    },
  };
}

const limits = { ring: 5, queueMax: 8, pauseAt: 4, resumeAt: 1, batch: 2, pcapLimitMb: 1 };

describe('CaptureSession', () => {
  it('is ready once tcpdump says it listens; lines become parsed events', async () => {
    const f = fakeRuntime();
    const s = sinks();
    const cap = new CaptureSession(
      'c1',
      { lab: 'l', container: 'internet', filter: 'icmp' },
      f.runtime,
      s.sinks,
    );
    expect(f.argv()).toContain('--print');
    expect(f.argv().slice(-2)).toEqual(['--', 'icmp']);
    f.proc.emit(
      'stderrLine',
      'tcpdump: listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes',
    );
    await cap.ready;
    // A chunk may end inside a line: the rest arrives with the next one.
    f.proc.emit('stdout', Buffer.from(LINE.slice(0, 30)));
    f.proc.emit('stdout', Buffer.from(LINE.slice(30)));
    await new Promise((r) => setImmediate(r));
    expect(s.packets).toHaveLength(1);
    expect(s.packets[0]).toMatchObject({
      captureId: 'c1',
      src: '172.30.0.11',
      icmpType: 'echo request',
    });
    expect(await cap.stop()).toBe('stopped');
    expect(f.calls).toContain('kill TERM');
    expect(s.ended).toEqual(['stopped']);
  });

  it('a flood pauses the stream, drops past the bound with a count, and resumes once drained', async () => {
    const f = fakeRuntime();
    const s = sinks();
    const cap = new CaptureSession(
      'c2',
      { lab: 'l', container: 'internet' },
      f.runtime,
      s.sinks,
      limits,
    );
    f.proc.emit('stderrLine', 'listening on any, link-type LINUX_SLL2');
    await cap.ready;
    f.proc.emit('stdout', Buffer.from(LINE.repeat(20))); // one chunk: no turn of the event loop between lines
    expect(f.calls).toContain('pause');
    expect(cap.dropped).toBe(12); // 8 queued, the rest dropped
    expect(cap.total).toBe(20);
    expect(cap.packets()).toHaveLength(5); // the ring keeps the newest
    await new Promise((r) => setTimeout(r, 300));
    expect(s.packets).toHaveLength(8);
    expect(f.calls).toContain('resume');
    expect(s.dropped).toEqual([12]);
    await cap.stop();
  });

  it('a tcpdump that fails to start rejects ready with its own message', async () => {
    const f = fakeRuntime();
    const s = sinks();
    const cap = new CaptureSession(
      'c3',
      { lab: 'l', container: 'internet', filter: 'bogus' },
      f.runtime,
      s.sinks,
    );
    f.proc.emit('stderrLine', 'tcpdump: syntax error in filter expression');
    f.finish(1);
    await expect(cap.ready).rejects.toThrow(/syntax error in filter expression/);
    expect(await cap.ended).toMatch(/tcpdump exited \(1\)/);
  });

  it('waitFor finds a packet already seen, waitForNext only a later one', async () => {
    const f = fakeRuntime();
    const cap = new CaptureSession(
      'c4',
      { lab: 'l', container: 'internet' },
      f.runtime,
      sinks().sinks,
    );
    f.proc.emit('stderrLine', 'listening on any');
    f.proc.emit('stdout', Buffer.from(LINE));
    expect(await cap.waitFor((p) => p.src === '172.30.0.11', 10)).toBeDefined();
    expect(await cap.waitForNext((p) => p.src === '172.30.0.11', 10)).toBeUndefined();
    const next = cap.waitForNext((p) => p.src === '172.30.0.11', 1000);
    f.proc.emit('stdout', Buffer.from(LINE));
    expect(await next).toBeDefined();
    await cap.stop();
  });
});
