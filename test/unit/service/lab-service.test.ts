// LabService over a simulated runtime (test/support/fake-runtime.ts), no Docker: validation,
// up, a change (natOutgoing off: a rule diff, and the new plan's containers handed to the
// runtime to apply), delete, status, down, the events on the way, and the channel table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { LabApiEventName, LabApiEvents, LabSource } from '../../../src/service/api.js';
import { LabService } from '../../../src/service/lab-service.js';
import { STATE_DIR, STATE_NAME } from '../../../src/service/lab-record.js';
import { FakeRuntime } from '../../support/fake-runtime.js';

const TEMPLATES = join(import.meta.dirname, '../../../lab-templates');
const source = (id: string): LabSource => ({
  file: `${id}.yaml`,
  text: readFileSync(join(TEMPLATES, `${id}.yaml`), 'utf8'),
});
const LAB = 'outgoing-nat';
const POOL = 'default-ipv4-ippool';
const MASQ = /-j MASQUERADE/;

let runtime: FakeRuntime;
let service: LabService<FakeRuntime>;

/** Every event of these kinds, in order. */
function record<E extends LabApiEventName>(...names: E[]): { name: E; payload: LabApiEvents[E] }[] {
  const seen: { name: E; payload: LabApiEvents[E] }[] = [];
  for (const name of names) service.on(name, (payload) => seen.push({ name, payload }));
  return seen;
}

beforeEach(() => {
  runtime = new FakeRuntime();
  service = new LabService({ runtime, templatesDir: TEMPLATES });
});

afterEach(async () => {
  await service.close();
  await runtime.close();
});

describe('LabService over a simulated runtime', () => {
  it('validates files without touching the runtime', async () => {
    expect(service.validate([source(LAB)])).toEqual({
      ok: true,
      problems: [],
      warnings: [],
      labName: LAB,
    });
    const bad = service.validate([
      {
        file: 'bad.yaml',
        text: source(LAB).text.replace('natOutgoing: true', 'natOutgoing: maybe'),
      },
    ]);
    expect(bad.ok).toBe(false);
    expect(bad.problems.some((p) => p.field?.includes('natOutgoing') && p.position?.line)).toBe(
      true,
    );
    expect(runtime.labs.size).toBe(0);
    expect(runtime.execs).toEqual([]);
  });

  it('up: the lab runs, its record is saved in the router, progress and change are pushed', async () => {
    const steps: LabApiEvents['lab:progress'][] = [];
    service.on('lab:progress', (p) => steps.push(p));
    const events = record('lab:progress', 'lab:changed');
    const status = await service.up([source(LAB)]);
    expect(status.name).toBe(LAB);
    expect(status.running).toBe(true);
    expect(status.pods.map((p) => p.name).sort()).toEqual(['web-1', 'web-2']);
    const web1 = status.containers.find((c) => c.name === 'web-1')!;
    expect(web1.addresses[0]!.address).toBe(
      `${status.pods.find((p) => p.name === 'web-1')!.address}/32`,
    );
    const saved = await runtime.readFile(LAB, 'tor', `${STATE_DIR}/${STATE_NAME}`);
    expect(JSON.parse(saved!)).toMatchObject({ name: LAB, lab: { name: LAB } });
    expect(steps.some((s) => s.step === 'containers' && !s.done)).toBe(true);
    expect(steps.at(-1)).toMatchObject({ lab: LAB, step: 'ready', done: true });
    expect(events.at(-1)).toMatchObject({ name: 'lab:changed', payload: { lab: LAB } });
  });

  it('a natOutgoing patch: a rule diff, and the new plan applied to the nodes that changed', async () => {
    await service.up([source(LAB)]);
    const events = record('lab:event');
    const dry = await service.patchPool(LAB, POOL, { spec: { natOutgoing: false } }, true);
    expect(dry.diffs.flatMap((d) => d.removed).some((r) => MASQ.test(r))).toBe(true);
    expect(runtime.applied).toEqual([]); // a dry run applies nothing

    const r = await service.patchPool(LAB, POOL, { spec: { natOutgoing: false } });
    expect(r.message).toBe("Successfully patched 1 'IPPool' resource");
    expect(r.diffs.map((d) => d.node).sort()).toEqual(['node-1', 'node-2']);
    for (const d of r.diffs) {
      expect(d.removed.some((x) => MASQ.test(x))).toBe(true);
      expect(d.ipsetChanges).toContainEqual({
        set: 'cali40masq-ipam-pools',
        removed: ['192.168.0.0/16'],
        added: [],
      });
    }
    expect(r.warnings.join(' ')).toMatch(/conntrack/);
    // What the runtime got is the new plan's containers: the nodes, without the pool in the masq set.
    const lab = loadLab([source(LAB)]);
    const next = planLab(
      {
        ...lab,
        ipPools: lab.ipPools.map((p) => ({ ...p, spec: { ...p.spec, natOutgoing: false } })),
      },
      { pinnedIpam: (await service.record(LAB)).ipam },
    );
    expect(runtime.applied).toHaveLength(1);
    const applied = runtime.applied[0]!;
    expect(applied.lab).toBe(LAB);
    expect(applied.containers.map((c) => c.name).sort()).toEqual(['node-1', 'node-2']);
    for (const c of applied.containers)
      expect(c.dataplane).toEqual(next.containers.find((x) => x.name === c.name)!.dataplane);
    expect(events.map((e) => e.payload)).toContainEqual(
      expect.objectContaining({
        lab: LAB,
        kind: 'change',
        message: expect.stringMatching(/patched/),
      }),
    );
    await service.settled();
    expect((await service.pools(LAB)).find((p) => p.name === POOL)!.spec.natOutgoing).toBe(false);
    // The same patch again changes nothing: no diff, nothing applied.
    const again = await service.patchPool(LAB, POOL, { spec: { natOutgoing: false } });
    expect(again.diffs).toEqual([]);
    expect(runtime.applied).toHaveLength(1);
  });

  it('delete, status and down', async () => {
    await service.up([source('nat-only-to-some-ranges')]);
    const name = 'nat-only-to-some-ranges';
    await service.deletePool(name, 'no-nat-10.0.0.0-8');
    expect(runtime.applied).toHaveLength(1);
    await service.settled();
    expect((await service.pools(name)).map((p) => p.name)).toEqual(['default-ipv4-ippool']);
    await expect(service.deletePool(name, 'no-such-pool')).rejects.toThrow(/does not exist/);

    const [status] = await service.status(name);
    expect(status).toMatchObject({ name, running: true });
    expect(status!.pools.map((p) => p.name)).toEqual(['default-ipv4-ippool']);
    expect(status!.containers.find((c) => c.name === 'tor')!.bgp?.length).toBeGreaterThan(0);

    const events = record('lab:changed');
    expect(await service.down(name)).toBe(status!.containers.length);
    expect(events.at(-1)!.payload).toMatchObject({ lab: name, status: { running: false } });
    expect(await service.status()).toEqual([]);
    await expect(service.record(name)).rejects.toThrow(/no running lab named/);
  });

  it('a subscriber gets container events from the engine through the watcher', async () => {
    const events = record('lab:event');
    await new Promise((r) => setTimeout(r, 20)); // the watcher opens the event stream
    await service.up([source(LAB)]);
    await service.down(LAB);
    await new Promise((r) => setImmediate(r));
    const messages = events.map((e) => e.payload).filter((p) => p.kind === 'container');
    expect(messages.map((m) => m.message)).toEqual(
      expect.arrayContaining(['web-1: start', 'tor: start', 'web-1: destroy']),
    );
    expect(messages.every((m) => m.lab === LAB)).toBe(true);
  });

  it('call() dispatches every channel to the same methods', async () => {
    const status = await service.call('lab:up', source(LAB));
    expect(await service.call('lab:status', { name: LAB })).toEqual([status]);
    expect((await service.call('templates:list', undefined)).some((t) => t.id === LAB)).toBe(true);
    expect((await service.call('pool:list', { lab: LAB })).map((p) => p.name)).toEqual([POOL]);
    const e = await service.call('lab:explain', { lab: LAB, from: 'web-1', to: 'internet' });
    expect(e.seenAs).toBe('node');
    await expect(service.call('no:such' as 'lab:status', { name: LAB })).rejects.toThrow(
      /unknown call 'no:such'/,
    );
  });
});
