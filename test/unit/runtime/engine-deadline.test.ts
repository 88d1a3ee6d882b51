// Engine calls that must answer in seconds get a bound: a stuck engine (Docker 20.10's
// libnetwork deadlock) gives a clear error instead of an `up` or `down` that never returns.
import type Dockerode from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EngineStuckError,
  engineDeadlineMs,
  withEngineDeadline,
} from '../../../src/runtime/engine/deadline.js';
import { readFileSync } from 'node:fs';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { engineWithDeadlines } from '../../../src/runtime/engine/bounded.js';
import { removeContainer } from '../../../src/runtime/lab/queries.js';
import { labUp } from '../../../src/runtime/lab/up.js';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

afterEach(() => {
  delete process.env.EGRESS_LAB_ENGINE_TIMEOUT_MS;
});

describe('withEngineDeadline', () => {
  it('passes an answer (or a failure) through', async () => {
    await expect(withEngineDeadline('x', Promise.resolve(7), 1000)).resolves.toBe(7);
    await expect(withEngineDeadline('x', Promise.reject(new Error('409')), 1000)).rejects.toThrow(
      '409',
    );
  });

  it('says which call the engine left unanswered, the likely cause and what to do', async () => {
    const err = await withEngineDeadline('the start of container lab-node-1', never(), 30).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineStuckError);
    const msg = (err as Error).message;
    expect(msg).toContain('the start of container lab-node-1');
    expect(msg).toContain('moby/moby#46661');
    expect(msg).toMatch(/Restart the engine/);
  });

  it('takes its bound from EGRESS_LAB_ENGINE_TIMEOUT_MS, else 120 s', () => {
    expect(engineDeadlineMs()).toBe(120_000);
    process.env.EGRESS_LAB_ENGINE_TIMEOUT_MS = '2500';
    expect(engineDeadlineMs()).toBe(2500);
    process.env.EGRESS_LAB_ENGINE_TIMEOUT_MS = 'soon';
    expect(engineDeadlineMs()).toBe(120_000);
  });
});

describe('removeContainer on a stuck engine', () => {
  it('fails with the stuck-engine error instead of waiting forever', async () => {
    process.env.EGRESS_LAB_ENGINE_TIMEOUT_MS = '40';
    const docker = engineWithDeadlines({
      getContainer: (id: string) => ({ id, remove: () => never() }),
    } as unknown as Dockerode);
    await expect(removeContainer(docker, 'abc123')).rejects.toThrow(
      /not answered the removal of container abc123/,
    );
  });
});

describe('up on a stuck engine', () => {
  it('fails with the stuck-engine error when a create never answers', async () => {
    process.env.EGRESS_LAB_ENGINE_TIMEOUT_MS = '40';
    process.env.EGRESS_LAB_NO_SYSCTL = '1';
    const text = readFileSync('lab-templates/outgoing-nat.yaml', 'utf8');
    const plan = planLab(loadLab([{ file: 'outgoing-nat.yaml', text }]));
    const docker = {
      modem: {},
      listContainers: async () => [],
      createContainer: () => never(),
      getContainer: (id: string) => ({ id, remove: async () => undefined }),
    } as unknown as Dockerode;
    try {
      await expect(labUp(docker, 'egress-lab/node:test', plan, { name: 'stuck' })).rejects.toThrow(
        /not answered the creation of container stuck-/,
      );
    } finally {
      delete process.env.EGRESS_LAB_NO_SYSCTL;
    }
  });
});
