// The lab service's exercises over the simulated runtime (issue 18): a check proves the step's
// flows with the same machinery as `check` (a capture on the destination, probes from the pod),
// a reset is one change back to the step's checkpoint, and every move is an
// `exercise:progress` event (the instructor's view).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkshopLabView } from '../../../src/service/api.js';
import { LabService } from '../../../src/service/lab-service.js';
import { FakeRuntime } from '../../support/fake-runtime.js';

const TEMPLATES = join(import.meta.dirname, '../../../lab-templates');
const text = readFileSync(join(TEMPLATES, 'outgoing-nat.yaml'), 'utf8');

let runtime: FakeRuntime;
let service: LabService<FakeRuntime>;

beforeEach(async () => {
  runtime = new FakeRuntime();
  service = new LabService({ runtime, templatesDir: TEMPLATES });
  await service.up([{ file: 'outgoing-nat.yaml', text }], { name: 'ws-u-1' });
});

afterEach(async () => {
  await service.close();
  await runtime.close();
});

describe('exercises on a running lab', () => {
  it('check fails with what was seen, passes after the change, fails again after a reset', async () => {
    const events: WorkshopLabView[] = [];
    service.on('exercise:progress', (e) => events.push(e));
    const view = await service.exercises.view('ws-u-1');
    expect(view.steps.map((s) => s.title)).toEqual([
      'Who does the internet see?',
      'Turn outgoing NAT off',
      'Turn it back on',
    ]);
    expect(view.current).toBe(0);

    const before = await service.exercises.check('ws-u-1', 1);
    expect(before.ok).toBe(false);
    expect(before.entries[0]!.mismatches[0]).toMatch(
      /^seenAs: expected pod, internet saw .*node node-1/,
    );

    await service.patchPool('ws-u-1', 'default-ipv4-ippool', { spec: { natOutgoing: false } });
    const after = await service.exercises.check('ws-u-1', 1);
    expect(after.ok).toBe(true);
    expect(after.entries[0]!.summary).toMatch(/\(pod web-1\); 0\/3 replies$/);

    const reset = await service.exercises.reset('ws-u-1', 1);
    expect(reset.message).toBe('Reset to the checkpoint of step 2');
    expect(reset.diffs.map((d) => d.node).sort()).toEqual(['node-1', 'node-2']);
    expect((await service.pools('ws-u-1'))[0]!.spec.natOutgoing).toBe(true);
    expect((await service.exercises.check('ws-u-1', 1)).ok).toBe(false);

    // Step 3 starts with natOutgoing off: its reset turns it off.
    await service.exercises.reset('ws-u-1', 2);
    expect((await service.pools('ws-u-1'))[0]!.spec.natOutgoing).toBe(false);

    expect(events.map((e) => [e.current, e.last?.ok])).toEqual([
      [1, false],
      [1, true],
      [1, undefined],
      [1, false],
      [2, false],
    ]);
    const [row] = await service.exercises.overview();
    expect(row).toMatchObject({ lab: 'ws-u-1', steps: 3, current: 2, passed: [1] });
  });

  it('a step that does not exist, or a lab without an exercise, says so', async () => {
    await expect(service.exercises.check('ws-u-1', 7)).rejects.toThrow(
      /step 8 does not exist: the exercise has steps 1 to 3/,
    );
    const plain = readFileSync(join(TEMPLATES, 'several-pools.yaml'), 'utf8');
    await service.up([{ file: 'several-pools.yaml', text: plain }], { name: 'ws-u-2' });
    await expect(service.exercises.view('ws-u-2')).rejects.toThrow(/has no exercise/);
  });

  it('progress survives a restarted server: it is kept beside the lab, not in the process', async () => {
    await service.patchPool('ws-u-1', 'default-ipv4-ippool', { spec: { natOutgoing: false } });
    expect((await service.exercises.check('ws-u-1', 1)).ok).toBe(true);
    await service.exercises.goto('ws-u-1', 2);

    const restarted = new LabService({ runtime, templatesDir: TEMPLATES });
    try {
      const view = await restarted.exercises.view('ws-u-1');
      expect(view.current).toBe(2);
      expect(view.passed).toEqual([1]);
      const [row] = await restarted.exercises.overview();
      expect(row).toMatchObject({ lab: 'ws-u-1', current: 2, passed: [1] });
    } finally {
      await restarted.close();
    }
  });
});
