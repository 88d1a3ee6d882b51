// `up` leaves alone a wiring helper another process's `up` of the same lab may be using
// (up/decide.ts): created or running and young; the stopped and the stuck ones go.
import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { HELPER_ROLE, LABEL_OWNER, LABEL_ROLE } from '../../../src/runtime/lab/labels.js';
import { hostname } from 'node:os';
import { spawnSync } from 'node:child_process';
import { HELPER_WORK_S, helperAtWork, ownerAlive } from '../../../src/runtime/lab/up/decide.js';

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

describe('a helper with an owner label', () => {
  const owned = (state: string, owner: string): Dockerode.ContainerInfo =>
    ({
      Labels: { [LABEL_ROLE]: HELPER_ROLE, [LABEL_OWNER]: owner },
      State: state,
      Created: now - 5,
    }) as unknown as Dockerode.ContainerInfo;

  it('is at work while its owner process lives, and goes at once when it died', () => {
    const here = `${hostname()}/${process.pid}`;
    expect(helperAtWork(owned('created', here), now)).toBe(true);
    // A process that has exited: its pid is free (a `up` killed between create and start).
    const gone = spawnSync('true').pid;
    expect(ownerAlive(`${hostname()}/${gone}`)).toBe(false);
    expect(helperAtWork(owned('created', `${hostname()}/${gone}`), now)).toBe(false);
  });

  it("falls back to the age rule for another machine's process", () => {
    expect(ownerAlive('elsewhere/1')).toBeUndefined();
    expect(helperAtWork(owned('running', 'elsewhere/1'), now)).toBe(true);
  });
});
