// The lab's lock (lab-lock.ts over agent.sh's `lock`/`unlock`) with real agent loops: each
// "process" is an agent shell on this machine (`sh -c AGENT_SCRIPT`), reached through a
// stand-in for the engine's exec stream, all sharing one directory as a router would.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_SCRIPT, ApplyAgent } from '../../../src/runtime/agent/apply-agent.js';
import { LabBusyError, takeLabLock } from '../../../src/runtime/lab/lab-lock.js';

const dir = `/tmp/egress-lab-lock-test-${process.pid}`;
const script = AGENT_SCRIPT.replace(/\/run\/egress-lab/g, dir);
// The apply stand-in starts a daemon, as apply.sh starts BIRD and socat.
const apply = `sleep 30 </dev/null >/dev/null 2>&1 & echo $! >> ${dir}/daemons; echo applied`;
const shells: ChildProcess[] = [];

/** A container whose exec is an agent shell here; its stream frames stdout as Docker does. */
function router(): { container: Dockerode.Container; kill: () => void } {
  let child: ChildProcess | undefined;
  const container = {
    exec: async () => ({
      start: async () => {
        const c = spawn('sh', ['-c', script, 'egress-lab-agent', apply, 'true', 'true'], {
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        child = c;
        shells.push(c);
        const stream = new Duplex({
          read: () => undefined,
          write: (chunk: Buffer, _enc, cb) => void c.stdin!.write(chunk, cb),
          final: (cb) => void c.stdin!.end(cb),
        });
        c.stdout!.on('data', (b: Buffer) => {
          const header = Buffer.alloc(8);
          header[0] = 1;
          header.writeUInt32BE(b.length, 4);
          stream.push(Buffer.concat([header, b]));
        });
        c.on('exit', () => stream.push(null));
        return stream;
      },
    }),
  } as unknown as Dockerode.Container;
  return { container, kill: () => child?.kill('SIGKILL') };
}

afterEach(() => {
  for (const s of shells) s.kill('SIGKILL');
  shells.length = 0;
  try {
    for (const pid of readFileSync(`${dir}/daemons`, 'utf8').split('\n').filter(Boolean))
      process.kill(Number(pid));
  } catch {
    // no daemons, or gone
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the lab lock over real agent loops', () => {
  it('one holder at a time; the other waits, then is told who holds it', async () => {
    mkdirSync(dir, { recursive: true });
    const a = await takeLabLock(router().container, 'lab1', { owner: 'pid 1 on a, since t1' });
    expect(a.interrupted).toBeUndefined();
    const t0 = Date.now();
    const busy = await takeLabLock(router().container, 'lab1', {
      owner: 'pid 2 on b, since t2',
      waitMs: 500,
    }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(LabBusyError);
    expect((busy as Error).message).toBe(
      'another process is changing lab lab1 (pid 1 on a, since t1); try again once it is done',
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
    // A waiter gets it as soon as the holder lets go.
    const waiting = takeLabLock(router().container, 'lab1', { owner: 'pid 3 on c, since t3' });
    await new Promise((r) => setTimeout(r, 100));
    const released = Date.now();
    await a.release();
    const c = await waiting;
    expect(Date.now() - released).toBeLessThan(900);
    expect(c.interrupted).toBeUndefined();
    await c.release();
  });

  it('reads and writes files through the holder; a holder killed mid-change is reported to the next', async () => {
    mkdirSync(dir, { recursive: true });
    const r = router();
    const a = await takeLabLock(r.container, 'lab1', { owner: 'pid 1 on a, since t1' });
    await a.writeFile({ container: 'tor', dir: `${dir}/state`, name: 'rec.json', content: '{}' });
    expect(await a.readFile(`${dir}/state/rec.json`)).toBe('{}');
    expect(await a.readFile(`${dir}/state/none.json`)).toBeUndefined();
    r.kill(); // the process holding it is gone: its exec's shell ends, the kernel lets go
    await new Promise((res) => setTimeout(res, 50));
    await expect(
      a.writeFile({ container: 'tor', dir: `${dir}/state`, name: 'rec.json', content: '{"x":1}' }),
    ).rejects.toThrow(/lock was lost/);
    const b = await takeLabLock(router().container, 'lab1', { owner: 'pid 2 on b, since t2' });
    expect(b.interrupted).toBe('pid 1 on a, since t1');
    await b.release(false); // a failed change: the mark stays for the next
    const c = await takeLabLock(router().container, 'lab1', { owner: 'pid 3 on c, since t3' });
    expect(c.interrupted).toBe('pid 2 on b, since t2');
    await c.release();
    const d = await takeLabLock(router().container, 'lab1', { owner: 'pid 4 on d, since t4' });
    expect(d.interrupted).toBeUndefined();
    await d.release();
  });

  it('a daemon started by an apply under the lock does not keep holding it', async () => {
    mkdirSync(dir, { recursive: true });
    // The router's resident agent holds the lock and runs an apply (the router's own, during
    // a change) that leaves a daemon behind.
    const agent = await ApplyAgent.start(router().container);
    const a = await takeLabLock(router().container, 'lab1', { owner: 'a', agent });
    expect((await agent.run(Buffer.from(''))).stdout).toBe('applied\n');
    await a.release();
    expect(agent.alive).toBe(true); // a resident agent stays after the release
    const b = await takeLabLock(router().container, 'lab1', { owner: 'b', waitMs: 0 });
    await b.release();
    agent.close();
  });
});
