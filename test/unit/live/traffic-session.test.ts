// TrafficSession against a fake exec stream: counts from the generator's own lines,
// stats events throttled while it runs and a final one when it ends.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { TrafficStats } from '../../../src/service/api.js';
import type { LabRuntime } from '../../../src/runtime/lab/lab-runtime.js';
import {
  STATS_EVERY_MS,
  TrafficSession,
  type TrafficPlan,
} from '../../../src/service/live/traffic-session.js';

function fake() {
  const proc = new EventEmitter() as EventEmitter & Record<string, unknown>;
  let finish!: (code: number) => void;
  const kills: string[] = [];
  let argv: readonly string[] = [];
  Object.assign(proc, {
    pid: Promise.resolve(7),
    done: new Promise<number>((r) => (finish = r)),
    kill: async (sig: string) => {
      kills.push(sig);
      // ping prints its summary when interrupted, then exits 0
      proc.emit(
        'stdout',
        Buffer.from(
          '\n--- 203.0.113.10 ping statistics ---\n5 packets transmitted, 4 received, 20% packet loss, time 80ms\n',
        ),
      );
      finish(0);
    },
    pause: () => undefined,
    resume: () => undefined,
  });
  const runtime = {
    execStream: (_l: string, _c: string, a: readonly string[]) => ((argv = a), proc),
  } as unknown as LabRuntime;
  return { runtime, proc, kills, argv: () => argv, finish: (c: number) => finish(c) };
}

const plan: TrafficPlan = {
  lab: 'l',
  from: 'web-1',
  to: 'internet',
  address: '203.0.113.10',
  protocol: 'icmp',
  port: 0,
  intervalMs: 20,
  flows: 'one',
};

describe('TrafficSession', () => {
  it('one ICMP flow: ping, counts replies, throttled stats, final counts from ping itself on stop', async () => {
    const f = fake();
    const events: TrafficStats[] = [];
    const t = new TrafficSession('t1', plan, f.runtime, (s) => events.push(s));
    expect(f.argv()[0]).toBe('ping');
    f.proc.emit('stdout', Buffer.from('PING 203.0.113.10 (203.0.113.10) 56(84) bytes of data.\n'));
    for (let i = 1; i <= 4; i++)
      f.proc.emit(
        'stdout',
        Buffer.from(`64 bytes from 203.0.113.10: icmp_seq=${i} ttl=62 time=0.09 ms\n`),
      );
    expect(t.stats()).toMatchObject({ sent: 4, received: 4, running: true });
    expect(events).toHaveLength(0); // throttled
    await new Promise((r) => setTimeout(r, STATS_EVERY_MS + 50));
    expect(events).toHaveLength(1);
    const final = await t.stop();
    expect(f.kills).toEqual(['INT']);
    expect(final).toMatchObject({
      trafficId: 't1',
      sent: 5,
      received: 4,
      running: false,
      address: '203.0.113.10',
    });
    expect(events.at(-1)).toEqual(final);
  });

  it('per-packet TCP: the loop generator; the server\'s "seen" address is kept; TERM stops it', async () => {
    const f = fake();
    const t = new TrafficSession(
      't2',
      { ...plan, protocol: 'tcp', port: 8080, flows: 'per-packet' },
      f.runtime,
      () => undefined,
    );
    expect(f.argv().slice(0, 2)).toEqual(['sh', '-c']);
    f.proc.emit('stdout', Buffer.from('sent 1\nsent 2\nok 1 172.30.0.11\nfail 2\n'));
    expect(t.stats()).toMatchObject({ sent: 2, received: 1, lastSeen: '172.30.0.11' });
    f.proc.kill = async (sig: string) => {
      f.kills.push(sig);
      f.finish(0);
    };
    await t.stop();
    expect(f.kills).toEqual(['TERM']);
  });

  it('a generator that fails says why', async () => {
    const f = fake();
    const t = new TrafficSession('t3', plan, f.runtime, () => undefined);
    f.proc.emit('stderrLine', 'ping: connect: Network is unreachable');
    f.finish(2);
    expect(await t.done).toMatchObject({
      running: false,
      error: 'ping: connect: Network is unreachable',
    });
  });
});
