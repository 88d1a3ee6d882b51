// Fault: dockerd restarted under a running lab (its containers stop with it). `up`
// restores the lab; `down` then leaves nothing. dockerd was started by hand (no systemd):
// the test reads its argv, working directory, environment and log file from /proc, stops
// it with SIGTERM, starts it again the same way and waits for the socket.
// It stops every container on the engine, so it runs only when asked:
// EGRESS_LAB_FAULT_DOCKERD=1, or in CI (CI=true) unless EGRESS_LAB_FAULT_DOCKERD=0.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import type { LabSource } from '../../src/service/api.js';
import { LabService } from '../../src/service/lab-service.js';
import { labLeftovers } from './helpers.js';

const env = process.env;
const enabled =
  env.EGRESS_LAB_FAULT_DOCKERD === '1' ||
  (env.CI === 'true' && env.EGRESS_LAB_FAULT_DOCKERD !== '0');
const local = !env.DOCKER_HOST || env.DOCKER_HOST.startsWith('unix://');
const root = typeof process.getuid === 'function' && process.getuid() === 0;

const TEMPLATE = join(import.meta.dirname, '../../lab-templates/outgoing-nat.yaml');
const LAB = `fault-dockerd-${randomBytes(2).toString('hex')}`;
const source: LabSource = { file: TEMPLATE, text: readFileSync(TEMPLATE, 'utf8') };
let service = new LabService();

interface Daemon {
  pid: number;
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  log?: string; // where its stdout/stderr went, when that was a file
}

function findDockerd(): Daemon {
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  for (const p of pids) {
    let comm: string;
    try {
      comm = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm !== 'dockerd') continue;
    const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const environ = readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').filter(Boolean);
    const out = readlinkSync(`/proc/${p}/fd/1`);
    return {
      pid: Number(p),
      argv,
      cwd: readlinkSync(`/proc/${p}/cwd`),
      env: Object.fromEntries(
        environ.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      ),
      ...(out.startsWith('/') && !out.startsWith('/dev/') ? { log: out } : {}),
    };
  }
  throw new Error('no dockerd process found');
}

async function until(
  what: string,
  ms: number,
  ok: () => boolean | Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} within ${ms / 1000} s`);
}

function startDockerd(d: Daemon): number {
  const log = openSync(d.log ?? '/var/log/dockerd.log', 'a');
  const child = spawn(d.argv[0]!, d.argv.slice(1), {
    cwd: d.cwd,
    env: d.env,
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  return child.pid ?? -1;
}

async function answers(probe: LabService): Promise<boolean> {
  try {
    await (await probe.runtime()).docker.ping();
    return true;
  } catch {
    return false;
  }
}

/** Stops dockerd and starts it again the same way; a second start if the first one died. */
async function restartDockerd(d: Daemon): Promise<void> {
  process.kill(d.pid, 'SIGTERM');
  await until('dockerd did not stop', 90_000, () => !existsSync(`/proc/${d.pid}`));
  const probe = new LabService();
  try {
    for (let attempt = 1; ; attempt++) {
      const pid = startDockerd(d);
      try {
        await until('dockerd did not answer again', 60_000, async () => {
          if (await answers(probe)) return true;
          if (!existsSync(`/proc/${pid}`)) throw new Error(`dockerd (pid ${pid}) exited`);
          return false;
        });
        return;
      } catch (e) {
        if (attempt >= 2 || existsSync(`/proc/${pid}`)) throw e;
      }
    }
  } finally {
    await probe.close();
  }
}

afterAll(async () => {
  await service.down(LAB).catch(() => undefined);
  await service.close();
});

describe.skipIf(!enabled || !local || !root)('dockerd restarted under a running lab', () => {
  it('up restores the lab; down leaves nothing', { timeout: 400_000 }, async () => {
    await service.setup();
    const up = await service.up([source], { name: LAB });
    const internet = up.hosts.find((h) => h.name === 'internet')!.address.split('/')[0]!;
    const daemon = findDockerd();
    expect(daemon.argv[0]).toMatch(/dockerd$/);

    await restartDockerd(daemon);
    expect(findDockerd().pid).not.toBe(daemon.pid);

    service = new LabService(); // as a restarted app would: nothing cached from before
    const [after] = await service.status(LAB);
    expect(after!.running).toBe(false); // the lab's containers stopped with dockerd

    const again = await service.up([source], { name: LAB });
    expect(again.running).toBe(true);
    const rt = await service.runtime();
    const ping = await rt.ping(LAB, 'web-1', internet, 3);
    expect(ping.received).toBeGreaterThan(0);
    const n1 = again.containers.find((c) => c.name === 'node-1')!;
    expect(n1.bgp?.every((s) => s.state === 'Established')).toBe(true);

    await service.down(LAB);
    expect(await labLeftovers(rt.docker, LAB, planLab(loadLab([source])))).toEqual({
      containers: [],
      hostIfnames: [],
    });
  });
});
