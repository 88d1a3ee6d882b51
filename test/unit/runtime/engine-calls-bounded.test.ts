// Every engine call has a bound (engine/bounded.ts): against an engine that accepts the
// connection and never answers, each call, and each public operation of LabRuntime, fails
// with the stuck-engine error naming the call, instead of a promise that never settles.
import type Dockerode from 'dockerode';
import { readFileSync } from 'node:fs';
import { Duplex, PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { ApplyAgent } from '../../../src/runtime/agent/apply-agent.js';
import { engineWithDeadlines } from '../../../src/runtime/engine/bounded.js';
import { EngineStuckError, engineCallDeadlineMs } from '../../../src/runtime/engine/deadline.js';
import { execCollect } from '../../../src/runtime/engine/exec.js';
import { ensureImage } from '../../../src/runtime/image/image.js';
import { readLabFile } from '../../../src/runtime/lab/lab-files.js';
import { LabRuntime } from '../../../src/runtime/lab/lab-runtime.js';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const STUCK =
  /the Docker engine has not answered .* it may be stuck .*moby\/moby#46661.*Restart the engine/s;

/** Calls the fake makes answer (by "target.method"); every other call never answers. */
type Answers = Record<string, (...args: unknown[]) => unknown>;

/** An engine object whose every method never answers unless `answers` says otherwise. */
function fakeObject(target: string, id: string, answers: Answers): object {
  return new Proxy(
    { id, modem: {} },
    {
      get(o, prop) {
        if (typeof prop !== 'string' || prop === 'then') return undefined;
        if (prop in o) return (o as Record<string, unknown>)[prop];
        const answer = answers[`${target}.${prop}`];
        if (answer) return answer;
        if (target === 'engine' && prop === 'getContainer')
          return (name: string) => fakeObject('container', name, answers);
        if (target === 'engine' && prop === 'getImage')
          return (name: string) => fakeObject('image', name, answers);
        return () => never();
      },
    },
  );
}

const stuckEngine = (answers: Answers = {}): Dockerode =>
  fakeObject('engine', 'engine', answers) as Dockerode;

/** An exec whose create answers and whose `then` step never does. */
const execThat = (answers: Answers): Answers => ({
  'container.exec': async () => fakeObject('exec', 'e1', answers),
});

function silentStream(): Duplex {
  return new Duplex({ read() {}, write: (_c, _e, cb) => cb() });
}

beforeEach(() => {
  // 40 ms for queries and setups, 160 ms for lifecycle calls and transfers.
  process.env.EGRESS_LAB_ENGINE_TIMEOUT_MS = '160';
});
afterEach(() => {
  delete process.env.EGRESS_LAB_ENGINE_TIMEOUT_MS;
});

/** Rejects with the stuck-engine error naming `what`, within the bound of its kind (+ slack). */
async function expectStuck(p: Promise<unknown>, what: RegExp, boundMs = 160): Promise<void> {
  const t0 = Date.now();
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(STUCK);
  expect((err as Error).message).toMatch(what);
  expect(Date.now() - t0).toBeLessThan(boundMs + 1000);
}

describe('the bounded engine, call by call', () => {
  it('bounds each kind of call by its share of EGRESS_LAB_ENGINE_TIMEOUT_MS', () => {
    expect(engineCallDeadlineMs('query')).toBe(40);
    expect(engineCallDeadlineMs('setup')).toBe(40);
    expect(engineCallDeadlineMs('lifecycle')).toBe(160);
    expect(engineCallDeadlineMs('transfer')).toBe(160);
    expect(engineCallDeadlineMs('upload')).toBe(800);
    delete process.env.EGRESS_LAB_ENGINE_TIMEOUT_MS;
    expect(engineCallDeadlineMs('query')).toBe(30_000);
    expect(engineCallDeadlineMs('lifecycle')).toBe(120_000);
  });

  it('lists', async () => {
    const d = engineWithDeadlines(stuckEngine());
    await expectStuck(d.listContainers({ all: true }), /the listing of containers in 40 ms/, 40);
    await expectStuck(d.listImages(), /the listing of images/, 40);
  });

  it('inspects containers and images', async () => {
    const d = engineWithDeadlines(stuckEngine());
    await expectStuck(
      d.getContainer('lab-node-1').inspect(),
      /inspect of container lab-node-1/,
      40,
    );
    await expectStuck(
      d.getImage('egress-lab/node:x').inspect(),
      /inspect of image egress-lab\/node:x/,
      40,
    );
  });

  it('creates, starts and removes containers', async () => {
    const d = engineWithDeadlines(stuckEngine());
    await expectStuck(
      d.createContainer({ name: 'lab-a' }),
      /the creation of container lab-a in 160 ms/,
    );
    await expectStuck(d.getContainer('lab-a').start(), /the start of container lab-a/);
    await expectStuck(
      d.getContainer('lab-a').remove({ force: true }),
      /the removal of container lab-a/,
    );
  });

  it('creates and starts execs, and inspects them', async () => {
    const create = engineWithDeadlines(stuckEngine());
    await expectStuck(
      create.getContainer('lab-r').exec({ Cmd: ['ip', 'addr'] }),
      /the exec create of ip in container lab-r/,
      40,
    );
    const start = engineWithDeadlines(stuckEngine(execThat({})));
    const exec = await start
      .getContainer('lab-r')
      .exec({ Cmd: ['sh', '-c', 'x', 'egress-lab-agent'] });
    await expectStuck(
      exec.start({ hijack: true, stdin: true }),
      /the start of the exec of egress-lab-agent in container lab-r/,
      40,
    );
    await expectStuck(exec.inspect(), /the inspect of the exec of egress-lab-agent/, 40);
  });

  it('reads and writes archives', async () => {
    const d = engineWithDeadlines(stuckEngine());
    await expectStuck(
      d.getContainer('lab-r').getArchive({ path: '/var/lib/x' }),
      /the archive read of \/var\/lib\/x from container lab-r/,
    );
    await expectStuck(
      d.getContainer('lab-r').putArchive(Buffer.alloc(0), { path: '/var/lib' }),
      /the archive write to \/var\/lib in container lab-r/,
    );
  });

  it('attaches (the boot agent of a new container)', async () => {
    const d = engineWithDeadlines(stuckEngine());
    await expectStuck(
      ApplyAgent.attach(d.getContainer('lab-n')),
      /the attach to container lab-n/,
      40,
    );
  });

  it('opens streams with a bound on the opening only, not on their life', async () => {
    const events = engineWithDeadlines(stuckEngine());
    await expectStuck(events.getEvents(), /the start of its event stream/, 40);
    const stream = silentStream();
    const d = engineWithDeadlines(stuckEngine({ 'container.attach': async () => stream }));
    const attached = await d.getContainer('lab-n').attach({ stream: true, hijack: true });
    expect(attached).toBe(stream);
    // The stream itself stays open past every bound: a capture runs as long as it is wanted.
    await new Promise((r) => setTimeout(r, 250));
    expect(stream.destroyed).toBe(false);
  });

  it('asks for the lab image, and fails instead of building when the engine is stuck', async () => {
    const d = engineWithDeadlines(stuckEngine());
    await expectStuck(ensureImage(d), /the inspect of image egress-lab\/node:/, 40);
    await expectStuck(d.importImage(new PassThrough()), /an image import in 800 ms/, 800);
  });

  it('closes a stream the engine opens only after the bound has passed', async () => {
    const stream = silentStream();
    const late = (): Promise<Duplex> => new Promise((r) => setTimeout(() => r(stream), 120));
    const d = engineWithDeadlines(stuckEngine({ 'container.attach': late }));
    await expectStuck(d.getContainer('lab-n').attach({ stream: true }), /attach to container/, 40);
    await new Promise((r) => setTimeout(r, 150));
    expect(stream.destroyed).toBe(true);
  });

  it('gives a call it has no entry for the longest bound, never none', async () => {
    const d = engineWithDeadlines(stuckEngine());
    await expectStuck(
      d.getContainer('lab-n').restart(),
      /the restart call on container lab-n in 160 ms/,
    );
  });

  it('passes answers and failures through, and wraps once', async () => {
    const raw = stuckEngine({
      'engine.listContainers': async () => [{ Id: 'a' }],
      'container.inspect': async () => {
        throw Object.assign(new Error('no such container'), { statusCode: 404 });
      },
    });
    const d = engineWithDeadlines(raw);
    expect(engineWithDeadlines(d)).toBe(d);
    await expect(d.listContainers()).resolves.toEqual([{ Id: 'a' }]);
    await expect(d.getContainer('x').inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('execCollect with timeoutMs bounds every step, even on an unbounded engine', () => {
  it('an exec create that never answers', async () => {
    const c = stuckEngine().getContainer('lab-r');
    const err = await execCollect(c, ['ip', 'addr'], { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineStuckError);
    expect((err as Error).message).toMatch(/the exec create of ip in container lab-r in 50 ms/);
  });

  it('an exec start that never answers', async () => {
    const c = stuckEngine(execThat({})).getContainer('lab-r');
    const err = await execCollect(c, ['ip', 'addr'], { timeoutMs: 50 }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/the exec start of ip in container lab-r/);
  });

  it('output that never ends: the command is named, as before', async () => {
    const c = stuckEngine(execThat({ 'exec.start': async () => silentStream() })).getContainer('r');
    await expect(execCollect(c, ['sleep', '9'], { timeoutMs: 50 })).rejects.toThrow(
      'sleep did not finish within 50 ms',
    );
  });

  it('an exit code the engine never reports', async () => {
    const ended = (): Duplex => {
      const d = silentStream();
      setImmediate(() => d.push(null));
      return d;
    };
    const c = stuckEngine(execThat({ 'exec.start': async () => ended() })).getContainer('lab-r');
    const err = await execCollect(c, ['true'], { timeoutMs: 50 }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/the exec exit code of true in container lab-r/);
  });
});

describe('readLabFile', () => {
  it('says the engine is stuck instead of "no such file" when the archive never comes', async () => {
    const d = engineWithDeadlines(stuckEngine());
    await expectStuck(readLabFile(d, 'lab', 'router', '/var/lib/x.yaml'), /archive read/);
  });

  it('bounds an archive whose body never ends', async () => {
    const body = new PassThrough();
    body.write(Buffer.alloc(100));
    const d = engineWithDeadlines(stuckEngine({ 'container.getArchive': async () => body }));
    await expectStuck(
      readLabFile(d, 'lab', 'router', '/var/lib/x.yaml'),
      /the archive of \/var\/lib\/x.yaml from container lab-router/,
    );
  });
});

describe('LabRuntime on an engine that never answers', () => {
  const plan = planLab(
    loadLab([
      { file: 'outgoing-nat.yaml', text: readFileSync('lab-templates/outgoing-nat.yaml', 'utf8') },
    ]),
  );
  const node = plan.containers.find((c) => c.role === 'node')!;
  // Every public operation that reaches the engine: a new one must be added here (the
  // completeness check below fails until it is), with the error it gives on a stuck engine.
  const operations: Record<string, (rt: LabRuntime) => Promise<unknown>> = {
    up: (rt) => rt.up(plan, { name: 'stuck' }),
    down: (rt) => rt.down('stuck'),
    listLabs: (rt) => rt.listLabs(),
    status: (rt) => rt.status(),
    readFile: (rt) => rt.readFile('stuck', 'router', '/var/lib/egress-lab/lab.yaml'),
    writeFile: (rt) =>
      rt.writeFile('stuck', {
        container: 'router',
        dir: '/var/lib/egress-lab',
        name: 'x',
        content: 'x',
      }),
    applyDataplane: (rt) => rt.applyDataplane('stuck', [node]),
    exec: (rt) => rt.exec('stuck', 'router', ['ip', 'addr']),
    execStream: (rt) => rt.execStream('stuck', 'router', ['ping', '192.0.2.1']).done,
    capture: (rt) => rt.capture('stuck', 'router', { iface: 'eth0' }).ready,
    ping: (rt) => rt.ping('stuck', 'router', '192.0.2.1', 1),
    lockLab: (rt) => rt.lockLab('stuck', 'router', { waitMs: 1, owner: 'test' }),
  };
  // Methods that never call the engine themselves (private helpers, close).
  const noEngineCall = new Set(['constructor', 'close', 'image', 'container', 'statusOfLab']);

  it('has an entry for every public operation', () => {
    const methods = Object.getOwnPropertyNames(LabRuntime.prototype).filter(
      (m) => !noEngineCall.has(m),
    );
    expect(methods.sort()).toEqual(Object.keys(operations).sort());
  });

  for (const [name, op] of Object.entries(operations)) {
    it(`${name} fails with the stuck-engine error`, async () => {
      process.env.EGRESS_LAB_NO_SYSCTL = '1';
      const rt = new LabRuntime(stuckEngine(), { image: 'egress-lab/node:test' });
      try {
        await expectStuck(op(rt), /has not answered/);
      } finally {
        delete process.env.EGRESS_LAB_NO_SYSCTL;
        await rt.close();
      }
    });
  }
});
