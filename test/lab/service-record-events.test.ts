// The lab service across processes and over time: the record a lab keeps on the engine
// (a second service finds it), and the events a UI gets when a container dies or BGP moves.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabService } from '../../src/service/lab-service.js';
import type { LabApiEvents } from '../../src/service/api.js';
import { labRuntime } from './helpers.js';

const NAME = 'svc-events';
const source = {
  file: 'lab-templates/outgoing-nat.yaml',
  text: readFileSync('lab-templates/outgoing-nat.yaml', 'utf8'),
};

let service: LabService;

beforeAll(async () => {
  const { runtime } = await labRuntime();
  service = new LabService({ runtime });
  await service.down(NAME);
  await service.up([source], { name: NAME });
});

afterAll(async () => {
  await service.down(NAME);
  await service.close();
});

describe('lab record', () => {
  it('a second service (another process, say) sees a change the first one made', async () => {
    await service.patchPool(NAME, 'default-ipv4-ippool', { spec: { natOutgoing: false } });
    await service.settled(); // the record is saved after the rules are applied
    const { runtime } = await labRuntime();
    const other = new LabService({ runtime });
    const pools = await other.pools(NAME);
    expect(pools.find((p) => p.name === 'default-ipv4-ippool')?.spec.natOutgoing).toBe(false);
    const [status] = await other.status(NAME);
    expect(status?.pods.map((p) => p.name).sort()).toEqual(['web-1', 'web-2']);
    await other.close();
    await service.patchPool(NAME, 'default-ipv4-ippool', { spec: { natOutgoing: true } });
  });
});

describe('lab events', () => {
  it('reports a BGP session going down, a killed node, and the restore', async () => {
    const events: LabApiEvents['lab:event'][] = [];
    const changed: LabApiEvents['lab:changed'][] = [];
    const offEvent = service.on('lab:event', (e) => e.lab === NAME && events.push(e));
    const offChanged = service.on('lab:changed', (e) => e.lab === NAME && changed.push(e));
    const { docker, runtime } = await labRuntime();
    try {
      await new Promise((r) => setTimeout(r, 4000)); // the watcher's first look at the lab
      // BIRD on node-2 shuts down with a Cease: node-1's mesh session leaves Established at once.
      await runtime.exec(NAME, 'node-2', ['birdc', '-s', '/run/bird/bird.ctl', 'down']);
      await expect
        .poll(
          () =>
            events.some(
              (e) =>
                e.kind === 'bgp' &&
                e.message.startsWith('BGP node-1') &&
                e.message.includes('172.30.0.12') &&
                !e.message.endsWith('Established'),
            ),
          { timeout: 20_000, interval: 250 },
        )
        .toBe(true);
      await docker.getContainer(`${NAME}-node-2`).kill();
      await expect
        .poll(() => events.map((e) => e.message), { timeout: 15_000, interval: 200 })
        .toContain('node-2: die');
      await expect
        .poll(() => changed.at(-1)?.status.containers.find((c) => c.name === 'node-2')?.state, {
          timeout: 15_000,
        })
        .not.toBe('running');
      await service.up([source], { name: NAME });
      await expect
        .poll(() => changed.at(-1)?.status.containers.find((c) => c.name === 'node-2')?.state, {
          timeout: 15_000,
        })
        .toBe('running');
    } finally {
      offEvent();
      offChanged();
    }
  });
});

describe('down while watched', () => {
  it('the last word on a removed lab is that it is gone, even with the watcher polling', async () => {
    const changed: LabApiEvents['lab:changed'][] = [];
    const off = service.on('lab:changed', (e) => e.lab === NAME && changed.push(e));
    try {
      await new Promise((r) => setTimeout(r, 3500)); // let the watcher poll the running lab
      await service.down(NAME);
      await new Promise((r) => setTimeout(r, 7000)); // two more polls and the engine's destroy events
      const last = changed.at(-1);
      expect(last?.status.containers.filter((c) => c.state !== 'missing')).toEqual([]);
    } finally {
      off();
    }
  });
});
