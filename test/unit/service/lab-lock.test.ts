// Two processes changing one lab, simulated: two LabServices over one FakeRuntime (one
// engine), whose lockLab models the router's lock (agent.sh `lock`/`unlock`: one holder,
// the others wait; lab.owner left by a holder that never let go). The fake's hooks hold an
// apply or a record save to force an interleaving; with the lock switched off the same
// interleaving leaves the record disagreeing with the nodes, which is what the lock prevents.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerPlan } from '../../../src/core/plan/types.js';
import type { LabApiEvents, LabSource } from '../../../src/service/api.js';
import { planOf } from '../../../src/service/lab-record.js';
import { LabService } from '../../../src/service/lab-service.js';
import type { LabFile } from '../../../src/runtime/lab/lab-files.js';
import { FakeRuntime } from '../../support/fake-runtime.js';

const TEMPLATES = join(import.meta.dirname, '../../../lab-templates');
const LAB = 'outgoing-nat';
const POOL = 'default-ipv4-ippool';
const ROUTER = 'tor';
const source: LabSource = {
  file: `${LAB}.yaml`,
  text: readFileSync(join(TEMPLATES, `${LAB}.yaml`), 'utf8'),
};
const EXTRA_POOL: LabSource = {
  file: 'extra.yaml',
  text: `apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: extra-pool
spec:
  cidr: 10.10.0.0/16
  natOutgoing: true
`,
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A one-shot signal; `wait(ms)` gives up after ms (the lock may keep it from coming). */
function signal(): { fire: () => void; wait: (ms: number) => Promise<void> } {
  let fire!: () => void;
  const fired = new Promise<void>((r) => (fire = r));
  return { fire: () => fire(), wait: (ms) => Promise.race([fired, sleep(ms)]) };
}

let services: LabService<FakeRuntime>[] = [];

/** A service as another process would have it: its own queue and records, the same engine. */
function processOn(runtime: FakeRuntime, lockWaitMs?: number): LabService<FakeRuntime> {
  const s = new LabService({
    runtime,
    templatesDir: TEMPLATES,
    ...(lockWaitMs !== undefined ? { lockWaitMs } : {}),
  });
  services.push(s);
  return s;
}

afterEach(async () => {
  for (const s of services) await s.close();
  services = [];
});

/** Nodes whose applied dataplane differs from what the lab's record plans for them. */
async function disagreements(runtime: FakeRuntime, reader: LabService<FakeRuntime>) {
  const want = planOf(await reader.record(LAB));
  const have = runtime.labs.get(LAB)!.plan;
  return want.containers
    .filter((c) => c.role === 'node')
    .filter((c) => {
      const applied = have.containers.find((x) => x.name === c.name);
      return JSON.stringify(applied?.dataplane) !== JSON.stringify(c.dataplane);
    })
    .map((c) => c.name);
}

const isB = (cs: readonly ContainerPlan[]): boolean => JSON.stringify(cs).includes('10.10.0.0/16');
const isARecord = (f: LabFile): boolean => !f.content.includes('extra-pool');

/**
 * A turns natOutgoing off while B adds a pool, interleaved as: both read, A applies, B
 * applies, B saves, A saves (each hook waits a little for the other, then goes on).
 */
async function race(runtime: FakeRuntime) {
  const a = processOn(runtime);
  const b = processOn(runtime);
  await a.up([source]);
  const aApplied = signal();
  const bSaved = signal();
  runtime.beforeApply = async (_lab, cs) => {
    if (isB(cs)) await aApplied.wait(300);
    else setTimeout(aApplied.fire, 0); // fired once A's apply is done
  };
  runtime.beforeLockedWrite = async (_lab, file) => {
    if (isARecord(file)) await bSaved.wait(300);
    else setTimeout(bSaved.fire, 0);
  };
  await Promise.all([
    a.patchPool(LAB, POOL, { spec: { natOutgoing: false } }),
    b.apply(LAB, [EXTRA_POOL]),
  ]);
  await a.settled();
  await b.settled();
  runtime.beforeApply = undefined;
  runtime.beforeLockedWrite = undefined;
  return { a, b };
}

describe('the lab lock between two processes', () => {
  it('without a lock, "A applies, B applies, B saves, A saves" leaves the record disagreeing', async () => {
    const runtime = new FakeRuntime({ locks: false });
    const { a } = await race(runtime);
    const record = await a.record(LAB);
    // The record is A's (B's pool is lost), the nodes carry B's rules.
    expect(record.lab.ipPools.map((p) => p.name)).toEqual([POOL]);
    expect(await disagreements(runtime, a)).toEqual(['node-1', 'node-2']);
  });

  it('with the lock, the same race ends with both changes in the record and on every node', async () => {
    const runtime = new FakeRuntime();
    const { a, b } = await race(runtime);
    const record = await b.record(LAB);
    expect(record.lab.ipPools.map((p) => [p.name, p.spec.natOutgoing])).toEqual([
      [POOL, false],
      ['extra-pool', true],
    ]);
    expect(await disagreements(runtime, a)).toEqual([]);
    expect(runtime.labs.get(LAB)!.lock.holder).toBeUndefined();
  });

  it('30 toggles and 30 new pools from two processes at once: nothing lost, the record equals every node', async () => {
    const runtime = new FakeRuntime();
    const a = processOn(runtime);
    const b = processOn(runtime);
    await a.up([source]);
    // Applies and saves take a random while, so the two processes' changes overlap in every
    // way. Toggles alone would hide a race (each re-applies the whole pool); added pools
    // show any change a save from the other process dropped.
    runtime.beforeApply = () => sleep(Math.random() * 3);
    runtime.beforeLockedWrite = () => sleep(Math.random() * 3);
    await Promise.all([
      (async () => {
        // The last toggle turns it off: a save from B with what it read before loses it.
        for (let i = 0; i < 30; i++)
          await a.patchPool(LAB, POOL, { spec: { natOutgoing: i % 2 === 0 } });
      })(),
      (async () => {
        for (let i = 0; i < 30; i++)
          await b.apply(LAB, [
            {
              file: `p${i}.yaml`,
              text: EXTRA_POOL.text
                .replace('extra-pool', `pool-${i}`)
                .replace('10.10.0.0/16', `10.${20 + i}.0.0/16`),
            },
          ]);
      })(),
    ]);
    await a.settled();
    await b.settled();
    const pools = (await a.record(LAB)).lab.ipPools;
    expect(pools).toHaveLength(31);
    expect(pools.find((p) => p.name === POOL)?.spec.natOutgoing).toBe(false);
    expect(await disagreements(runtime, a)).toEqual([]);
  });

  it('a holder that died between its apply and its save makes the next change re-apply everything', async () => {
    const runtime = new FakeRuntime();
    const a = processOn(runtime);
    const b = processOn(runtime);
    await a.up([source]);
    const saveErrors: string[] = [];
    a.on('lab:event', (e: LabApiEvents['lab:event']) => saveErrors.push(e.message));
    // A's process goes away after applying natOutgoing=false, before its record is saved.
    runtime.beforeLockedWrite = async () => runtime.killLockHolder(LAB);
    await a.patchPool(LAB, POOL, { spec: { natOutgoing: false } });
    await a.settled();
    runtime.beforeLockedWrite = undefined;
    expect(saveErrors.some((m) => /could not be saved.*lock was lost/.test(m))).toBe(true);
    expect(await disagreements(runtime, b)).toEqual(['node-1', 'node-2']);

    // B's change changes nothing by itself (natOutgoing is on in the record), yet every
    // container gets the record's rules back.
    runtime.applied.length = 0;
    await b.patchPool(LAB, POOL, { spec: { natOutgoing: true } });
    await b.settled();
    const plan = planOf(await b.record(LAB));
    expect(runtime.applied.flatMap((x) => x.containers.map((c) => c.name)).sort()).toEqual(
      plan.containers
        .filter((c) => c.role !== 'pod')
        .map((c) => c.name)
        .sort(),
    );
    expect(await disagreements(runtime, b)).toEqual([]);
    // B let go cleanly: the next holder has nothing to repair.
    const next = await runtime.lockLab(LAB, ROUTER, { owner: 'test' });
    expect(next.interrupted).toBeUndefined();
    await next.release();
  });

  it('a failed apply leaves the mark too: the next change re-applies everything', async () => {
    const runtime = new FakeRuntime();
    const a = processOn(runtime);
    await a.up([source]);
    runtime.beforeApply = async () => {
      throw new Error('node-2: rejected: iptables: simulated');
    };
    await expect(a.patchPool(LAB, POOL, { spec: { natOutgoing: false } })).rejects.toThrow(
      /simulated/,
    );
    runtime.beforeApply = undefined;
    const lock = await runtime.lockLab(LAB, ROUTER, { owner: 'test' });
    expect(lock.interrupted).toMatch(/^pid \d+ on .+, since \d{4}-/);
    await lock.release(false); // leave it for the service to repair
    runtime.applied.length = 0;
    await a.patchPool(LAB, POOL, { spec: { natOutgoing: true } });
    expect(runtime.applied[0]!.containers.length).toBeGreaterThan(2);
  });

  it('a change waits while another process holds the lock, then says who holds it', async () => {
    const runtime = new FakeRuntime();
    const a = processOn(runtime, 50);
    await a.up([source]);
    const held = await runtime.lockLab(LAB, ROUTER, {
      owner: 'pid 4242 on elsewhere, since 2026-12-06T04:00:00.000Z',
    });
    await expect(a.patchPool(LAB, POOL, { spec: { natOutgoing: false } })).rejects.toThrow(
      'another process is changing lab outgoing-nat (pid 4242 on elsewhere, since 2026-12-06T04:00:00.000Z); try again once it is done',
    );
    // Within the wait, it goes through once the other lets go.
    const b = processOn(runtime, 5_000);
    const change = b.patchPool(LAB, POOL, { spec: { natOutgoing: false } });
    await sleep(20);
    expect(runtime.applied).toHaveLength(0);
    await held.release();
    await change;
    expect(runtime.applied).toHaveLength(1);
    expect(await disagreements(runtime, b)).toEqual([]);
  });

  it('up of a running lab waits for the lock: no change lands between its read and its save', async () => {
    const runtime = new FakeRuntime();
    const a = processOn(runtime);
    await a.up([source]);
    const held = await runtime.lockLab(LAB, ROUTER, { owner: 'another process' });
    let done = false;
    const up = a.up([source]).then(() => (done = true));
    await sleep(30);
    expect(done).toBe(false);
    await held.release();
    await up;
    expect(runtime.labs.get(LAB)!.lock.holder).toBeUndefined();
  });
});
