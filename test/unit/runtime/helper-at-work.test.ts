// `up` leaves alone a wiring helper another process's `up` of the same lab may be using
// (up/decide.ts): created or running and young; the stopped and the stuck ones go.
import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { HELPER_ROLE, LABEL_ROLE } from '../../../src/runtime/lab/labels.js';
import { HELPER_WORK_S, helperAtWork } from '../../../src/runtime/lab/up/decide.js';

const now = 1_800_000_000;
const info = (role: string, state: string, ageS: number): Dockerode.ContainerInfo =>
  ({
    Labels: { [LABEL_ROLE]: role },
    State: state,
    Created: now - ageS,
  }) as unknown as Dockerode.ContainerInfo;

describe('helperAtWork', () => {
  it("keeps another up's helper while it may be at work", () => {
    expect(helperAtWork(info(HELPER_ROLE, 'running', 5), now)).toBe(true);
    expect(helperAtWork(info(HELPER_ROLE, 'created', 0), now)).toBe(true); // between create and start
    expect(helperAtWork(info(HELPER_ROLE, 'running', HELPER_WORK_S - 1), now)).toBe(true);
  });

  it('lets the next up remove stopped helpers and ones far too old to be at work', () => {
    expect(helperAtWork(info(HELPER_ROLE, 'exited', 5), now)).toBe(false);
    expect(helperAtWork(info(HELPER_ROLE, 'dead', 5), now)).toBe(false);
    expect(helperAtWork(info(HELPER_ROLE, 'running', HELPER_WORK_S + 1), now)).toBe(false);
  });

  it('is about helpers only', () => {
    expect(helperAtWork(info('node', 'running', 5), now)).toBe(false);
  });
});
