// A remote engine, for real: a second dockerd on this machine listening only on a loopback
// TCP port, the lab image copied into it through the engine API, then the whole path a user
// takes with DOCKER_HOST=tcp://…: the service finds the engine through DOCKER_HOST, `setup`
// names it, `up` starts outgoing-nat there (and nothing on the local engine), `check` proves
// its expectations with real packets, `down` removes it. The second dockerd and its data go
// in a finally. Skipped, loudly, where a second dockerd cannot run (not root, no dockerd).
import Dockerode from 'dockerode';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineInUse, ensureEngine } from '../../src/runtime/engine/engine.js';
import { ensureImage } from '../../src/runtime/image/image.js';
import { LABEL_LAB } from '../../src/runtime/lab/labels.js';
import { LabService } from '../../src/service/lab-service.js';

const TEMPLATE = 'lab-templates/outgoing-nat.yaml';
const NAME = 'remote-nat';

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'a second dockerd needs Linux';
  if (process.getuid?.() !== 0) return 'a second dockerd needs root';
  if (!['/usr/sbin/dockerd', '/usr/bin/dockerd', '/usr/local/bin/dockerd'].some(existsSync))
    return 'no dockerd on this machine';
  if (process.env.DOCKER_HOST) return 'DOCKER_HOST is already set (the local engine is remote)';
  return undefined;
}
const skip = skipReason();
if (skip) console.warn(`\n[remote-engine] SKIPPED: ${skip}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let dir = '';
let dockerd: ChildProcess | undefined;
let port = 0;
let remote: Dockerode; // unbounded client of the second engine, for the test's own looks
let local: Dockerode;
let service: LabService | undefined;
const log = (step: string, detail?: string): void => {
  if (process.env.EGRESS_LAB_TEST_VERBOSE) console.log(`[${step}] ${detail ?? ''}`);
};

async function labContainers(docker: Dockerode): Promise<string[]> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL_LAB}=${NAME}`] },
  });
  return list.map((c) => c.Names[0] ?? c.Id);
}

/** Starts the second dockerd: its own data, exec root, containerd, no bridge, no iptables. */
async function startSecondEngine(): Promise<void> {
  // Short: containerd's sockets live under the exec root (unix socket paths are short).
  dir = mkdtempSync('/tmp/elr-');
  port = await freePort();
  // Its own (empty) config, so the first engine's daemon.json (hosts, …) is not read twice.
  writeFileSync(join(dir, 'daemon.json'), '{}');
  const logFd = openSync(join(dir, 'dockerd.log'), 'a');
  dockerd = spawn(
    'dockerd',
    [
      '--config-file',
      join(dir, 'daemon.json'),
      '--host',
      `tcp://127.0.0.1:${port}`,
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'x'),
      '--pidfile',
      join(dir, 'dockerd.pid'),
      '--bridge',
      'none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
      '--storage-driver',
      'overlay2',
    ],
    { stdio: ['ignore', logFd, logFd] },
  );
  let exited: number | null = null;
  dockerd.on('exit', (code) => (exited = code ?? -1));
  remote = new Dockerode({ host: '127.0.0.1', port, protocol: 'http' });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null)
      throw new Error(
        `second dockerd exited (${exited}): ${readFileSync(join(dir, 'dockerd.log'), 'utf8').slice(-2000)}`,
      );
    try {
      await remote.ping();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error('second dockerd did not answer within 60 s');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Copies the lab image from the local engine into the second one (export, then load). */
async function copyImage(tag: string): Promise<void> {
  const raw = new Dockerode({ socketPath: '/var/run/docker.sock' });
  const tar = await raw.getImage(tag).get();
  const res = await remote.loadImage(tar);
  await new Promise<void>((resolve, reject) =>
    remote.modem.followProgress(res, (err: Error | null) => (err ? reject(err) : resolve())),
  );
}

async function stopSecondEngine(): Promise<void> {
  const child = dockerd;
  if (child && child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(timer);
  }
  if (dir) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      console.warn(`[remote-engine] could not remove ${dir}: ${(e as Error).message}`);
    }
  }
}

describe.skipIf(skip !== undefined)('a remote engine through DOCKER_HOST=tcp://', () => {
  beforeAll(async () => {
    // The local engine (as the other lab tests have it) holds the image to copy.
    local = await ensureEngine(log, { env: { ...process.env, DOCKER_HOST: '' } });
    const [tag] = await Promise.all([ensureImage(local, log), startSecondEngine()]);
    await copyImage(tag);
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    delete process.env.DOCKER_HOST;
    try {
      if (service) {
        await service.down(NAME).catch(() => undefined);
        await service.close();
      }
    } finally {
      await stopSecondEngine();
    }
  });

  it('setup, up, check and down run on the engine DOCKER_HOST names', async () => {
    service = new LabService({ residentAgents: false });
    const setup = await service.setup(log);
    expect(setup.engine).toBe(`DOCKER_HOST=tcp://127.0.0.1:${port}`);
    expect(engineInUse((await service.runtime()).docker)).toMatchObject({ remote: true });

    const text = readFileSync(TEMPLATE, 'utf8');
    const status = await service.up([{ file: TEMPLATE, text }], { name: NAME, onProgress: log });
    expect(status.name).toBe(NAME);
    // The lab's containers are on the second engine, none on the local one.
    expect((await labContainers(remote)).length).toBeGreaterThanOrEqual(6);
    expect(await labContainers(local)).toEqual([]);

    const report = await service.live.check([{ file: TEMPLATE, text }], { name: NAME });
    expect(report.started).toBe(false);
    expect(
      report.entries
        .filter((e) => !e.ok)
        .map((e) => `${e.expectation.from} -> ${e.expectation.to}: ${e.mismatches.join('; ')}`)
        .join('\n'),
    ).toBe('');
    expect(report.entries.length).toBe(3);
    // Real packets: the internet host saw web-1 as node-1's address.
    const web1 = report.entries.find(
      (e) => e.expectation.from === 'web-1' && e.expectation.to === 'internet',
    );
    expect(web1?.seenSources).toEqual(['172.30.0.11']);
    expect(web1?.replies.received).toBeGreaterThan(0);

    expect(await service.down(NAME)).toBeGreaterThan(0);
    expect(await labContainers(remote)).toEqual([]);
  }, 300_000);
});
