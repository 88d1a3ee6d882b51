// Opening the UI must never install or start Docker: the watcher, status reads, live features
// and down only connect to an engine that answers (EngineFinder.connect); only up/setup may go
// through EngineFinder.ensure, which installs docker.io and starts dockerd as root on Debian.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineFinder } from '../../../src/service/engine-access.js';
import { LabService } from '../../../src/service/lab-service.js';

const TEMPLATES = join(import.meta.dirname, '../../../lab-templates');
const LAB = 'outgoing-nat';
const source = { file: `${LAB}.yaml`, text: readFileSync(join(TEMPLATES, `${LAB}.yaml`), 'utf8') };

/** No engine answers; records every attempt, and what an install would have been. */
function noEngine(): EngineFinder & { connects: number; installs: number } {
  const f = {
    connects: 0,
    installs: 0,
    connect: async (): Promise<Dockerode> => {
      f.connects++;
      throw new Error('no Docker engine answers (fake)');
    },
    ensure: async (): Promise<Dockerode> => {
      f.installs++;
      throw new Error('fake: this would install docker.io and start dockerd');
    },
  };
  return f;
}

let service: LabService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

describe('engine paths', () => {
  it('the watcher, status, live features and down only connect: no install, "no engine" reported', async () => {
    const engines = noEngine();
    service = new LabService({ templatesDir: TEMPLATES, engines });
    const events: unknown[] = [];
    service.on('lab:changed', (e) => events.push(e)); // starts the watcher, as a UI does
    service.on('lab:event', (e) => events.push(e));
    await expect(service.status()).rejects.toThrow(/no Docker engine answers/);
    await expect(service.call('lab:status', {})).rejects.toThrow(/no Docker engine answers/);
    await expect(service.pools(LAB)).rejects.toThrow(/no Docker engine answers/);
    await expect(service.live.startCapture({ lab: LAB, container: 'node-1' })).rejects.toThrow(
      /no Docker engine answers/,
    );
    await expect(service.down(LAB)).rejects.toThrow(/no Docker engine answers/);
    await new Promise((r) => setTimeout(r, 50)); // the watcher's first follow has run
    expect(engines.connects).toBeGreaterThanOrEqual(5);
    expect(engines.installs).toBe(0);
    expect(events).toEqual([]);
  });

  it('up is the path that may install (also after a read found no engine)', async () => {
    const engines = noEngine();
    service = new LabService({ templatesDir: TEMPLATES, engines });
    await expect(service.status()).rejects.toThrow(/no Docker engine/);
    await expect(service.up([source])).rejects.toThrow(/would install/);
    expect(engines.installs).toBe(1);
  });

  it('an engine found by a read is the one up uses: no second lookup, no install', async () => {
    const docker = { fake: true } as unknown as Dockerode;
    const engines = { ...noEngine(), connect: async () => docker };
    const calls: string[] = [];
    service = new LabService({
      templatesDir: TEMPLATES,
      engines: {
        connect: async () => (calls.push('connect'), engines.connect()),
        ensure: async () => (calls.push('ensure'), docker),
      },
    });
    const read = await service.runtime();
    expect(await service.runtimeForSetup()).toBe(read);
    // The runtime holds that engine wrapped with its call deadlines (engine/bounded.ts).
    expect((read.docker as unknown as { fake?: boolean }).fake).toBe(true);
    expect(calls).toEqual(['connect']);
  });

  it('engine status: what answers, or the search’s own words; never an install', async () => {
    const engines = noEngine();
    service = new LabService({ templatesDir: TEMPLATES, engines });
    expect(await service.call('engine:status', undefined)).toEqual({
      ok: false,
      message: 'no Docker engine answers (fake)',
    });
    expect(engines.installs).toBe(0);
    const docker = { fake: true } as unknown as Dockerode;
    service = new LabService({
      templatesDir: TEMPLATES,
      engines: { connect: async () => docker, ensure: async () => docker },
    });
    expect(await service.engineStatus()).toMatchObject({ ok: true, remote: false });
  });
});
