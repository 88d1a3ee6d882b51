// Every template's exercise can be done, on a real engine (issue 18): for each step, reset the
// lab to the step's checkpoint (one change, no down/up), check it (a step that asks for a
// change must fail before it, with the wire showing why), make the change a student would, and
// check again: it must pass. Real probes, real tcpdump on the destination.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabRuntime } from '../../src/runtime/lab/lab-runtime.js';
import { LabService } from '../../src/service/lab-service.js';
import { labRuntime } from './helpers.js';

/** Per template, per step: the pool patch a student makes (none: the step only observes). */
const SOLUTIONS: Record<string, ({ pool: string; natOutgoing: boolean } | null)[]> = {
  'outgoing-nat': [
    null,
    { pool: 'default-ipv4-ippool', natOutgoing: false },
    { pool: 'default-ipv4-ippool', natOutgoing: true },
  ],
  'external-connectivity-patch': [
    { pool: 'pod-pool', natOutgoing: true },
    { pool: 'pod-pool', natOutgoing: false },
  ],
  'nat-only-to-some-ranges': [{ pool: 'default-ipv4-ippool', natOutgoing: true }, null],
  'no-route-back': [null, { pool: 'pod-pool', natOutgoing: true }],
  'pods-with-public-addresses': [null, { pool: 'public-pool', natOutgoing: true }],
  'l3-fabric-two-racks': [null, { pool: 'pod-pool', natOutgoing: true }],
};

let rt: LabRuntime;
let service: LabService;
const started: string[] = [];

beforeAll(async () => {
  ({ runtime: rt } = await labRuntime());
  service = new LabService({ runtime: rt });
}, 600_000);

afterAll(async () => {
  for (const name of started) await service.down(name).catch(() => undefined);
  await service?.close();
}, 120_000);

describe('template exercises on the wire', () => {
  it.each(Object.keys(SOLUTIONS))(
    '%s: each step fails before its change and passes after it',
    async (template) => {
      const name = `ws-lab-${template}`.slice(0, 40).replace(/-$/, '');
      const text = readFileSync(`lab-templates/${template}.yaml`, 'utf8');
      started.push(name);
      await service.up([{ file: `${template}.yaml`, text }], { name });
      const steps = SOLUTIONS[template]!;
      expect((await service.exercises.view(name)).steps).toHaveLength(steps.length);
      for (const [i, solution] of steps.entries()) {
        await service.exercises.reset(name, i);
        if (solution) {
          const before = await service.exercises.check(name, i);
          expect(before.ok, `${template} step ${i + 1} before the change`).toBe(false);
          expect(before.entries.some((e) => e.mismatches.length > 0)).toBe(true);
          await service.patchPool(name, solution.pool, {
            spec: { natOutgoing: solution.natOutgoing },
          });
        }
        const after = await service.exercises.check(name, i);
        expect(
          after.ok,
          `${template} step ${i + 1}: ${after.entries.flatMap((e) => e.mismatches).join('; ')}`,
        ).toBe(true);
      }
      await service.down(name);
      started.splice(started.indexOf(name), 1);
    },
    300_000,
  );
});
