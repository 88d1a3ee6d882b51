// CLI changes through a running `egress-lab serve`: the announcement a server leaves, the
// small WebSocket client, and the patch/apply commands over a real server (startServer) with
// a recording service behind it: what reaches the service, what the CLI prints, and the
// fall-back to doing the work itself when no server answers.
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LabInputError } from '../../../src/core/errors.js';
import type { ChangeResult, LabApiClient } from '../../../src/service/api.js';
import { startServer, type RunningServer } from '../../../src/shells/server/server.js';
import {
  announceServer,
  findServers,
  registryDir,
} from '../../../src/shells/cli/server-registry.js';
import { viaServer } from '../../../src/shells/cli/via-server.js';
import { runCli } from './run-cli.js';

const CHANGE: ChangeResult = {
  message: "Successfully patched 1 'IPPool' resource",
  diffs: [{ node: 'node-1', added: [], removed: [], ipsetChanges: [] }] as never,
  appliedMs: 12,
  warnings: ['w1'],
};

function recordingService(): LabApiClient & { calls: { channel: string; request: unknown }[] } {
  const calls: { channel: string; request: unknown }[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  return {
    calls,
    async call(channel, request) {
      calls.push({ channel, request });
      // Events pushed to every connection in the middle of a call: not an answer.
      for (const l of listeners.get('lab:event') ?? [])
        l({ lab: 'x', kind: 'change', message: 'm', at: 1 });
      const r = request as { pool?: string; source?: { text: string } };
      if (r.pool === 'slow') await new Promise((done) => setTimeout(done, 1300));
      if (r.pool === 'missing')
        throw new LabInputError([
          { kind: 'IPPool', name: 'missing', message: 'resource does not exist' },
        ]);
      if (channel === 'pool:patch') return CHANGE as never;
      if (channel === 'lab:apply')
        return {
          ...CHANGE,
          message: `Successfully applied ${r.source!.text.length} bytes`,
          warnings: ['x'.repeat(70_000)], // an answer past 64 KiB: 64-bit frame length
        } as never;
      if (channel === 'pool:list') return [] as never;
      throw new Error(`unexpected ${channel}`);
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (p: unknown) => void);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
}

let dir: string;
let env: NodeJS.ProcessEnv;
let server: RunningServer | undefined;
let service: ReturnType<typeof recordingService>;
let unannounce: (() => Promise<void>) | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'egress-cli-registry-'));
  env = { XDG_RUNTIME_DIR: dir };
  vi.stubEnv('XDG_RUNTIME_DIR', dir);
  vi.stubEnv('DOCKER_HOST', undefined);
  vi.stubEnv('EGRESS_LAB_DIRECT', undefined);
  service = recordingService();
  server = await startServer({ service, rendererDir: dir });
  unannounce = await announceServer(server, env);
});

afterEach(async () => {
  await unannounce?.();
  await server?.close();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('server registry', () => {
  it('announces a server readable by this user only, and removes it', async () => {
    const [file] = readdirSync(registryDir(env));
    expect(file).toBe(`${process.pid}.json`);
    expect(statSync(join(registryDir(env), file!)).mode & 0o777).toBe(0o600);
    expect(statSync(registryDir(env)).mode & 0o777).toBe(0o700);
    await unannounce!();
    unannounce = undefined;
    expect(readdirSync(registryDir(env))).toEqual([]);
  });

  it('skips its own process, dead processes and servers of another engine', async () => {
    // The announcement above is this process's: a CLI never calls itself.
    expect(await findServers(env)).toEqual([]);
    const other = { pid: process.ppid, origin: 'http://127.0.0.1:1', token: 't', dockerHost: '' };
    writeFileSync(join(registryDir(env), `${process.ppid}.json`), JSON.stringify(other));
    writeFileSync(
      join(registryDir(env), '999999999.json'),
      JSON.stringify({ ...other, pid: 999_999_999 }),
    );
    expect(await findServers(env)).toEqual([other]);
    expect(await findServers({ ...env, DOCKER_HOST: 'tcp://elsewhere:2375' })).toEqual([]);
  });
});

/** Announces the test's server as if another process ran it (findServers skips our own pid). */
function announceAsParent(s: RunningServer, token = s.token): void {
  writeFileSync(
    join(registryDir(env), `${process.ppid}.json`),
    JSON.stringify({ pid: process.ppid, origin: s.origin, token, dockerHost: '' }),
  );
}

describe('CLI changes through a running serve', () => {
  it('patch: the call reaches the service, then a pool list (record saved); same output', async () => {
    announceAsParent(server!);
    const r = await runCli([
      'patch',
      'ippool',
      'default-ipv4-ippool',
      '--name',
      'lab1',
      '--patch',
      '{"spec":{"natOutgoing":false}}',
    ]);
    expect(r.code, r.err).toBe(0);
    expect(service.calls).toEqual([
      {
        channel: 'pool:patch',
        request: {
          lab: 'lab1',
          pool: 'default-ipv4-ippool',
          patch: { spec: { natOutgoing: false } },
          dryRun: false,
        },
      },
      { channel: 'pool:list', request: { lab: 'lab1' } },
    ]);
    expect(r.out).toBe("Successfully patched 1 'IPPool' resource\n");
    expect(r.err).toBe('applied in 12 ms (rules changed on node-1)\nwarning: w1\n');
  });

  it('a dry run makes no pool list; --json prints the result', async () => {
    announceAsParent(server!);
    const r = await runCli([
      'patch',
      'ippool',
      'p',
      '--name',
      'l',
      '-p',
      '{}',
      '--dry-run',
      '--json',
    ]);
    expect(r.code, r.err).toBe(0);
    expect(service.calls.map((c) => c.channel)).toEqual(['pool:patch']);
    expect(JSON.parse(r.out)).toEqual(CHANGE);
  });

  it('invalid input from the service prints as the CLI prints it itself, exit 1', async () => {
    announceAsParent(server!);
    const r = await runCli(['patch', 'ippool', 'missing', '--name', 'l', '-p', '{}']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('IPPool(missing) resource does not exist\n');
  });

  it('a change that takes longer than the connection time limit still gets its answer', async () => {
    announceAsParent(server!);
    const r = await runCli(['patch', 'ippool', 'slow', '--name', 'l', '-p', '{}']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe("Successfully patched 1 'IPPool' resource\n");
  });

  it('apply -f sends the file (past 64 KiB) and reads an answer past 64 KiB', async () => {
    announceAsParent(server!);
    const file = join(dir, 'pools.yaml');
    writeFileSync(file, `# ${'y'.repeat(100_000)}\n`);
    const r = await runCli(['apply', '-f', file, '--name', 'l']);
    expect(r.code, r.err).toBe(0);
    expect(service.calls[0]!.channel).toBe('lab:apply');
    expect(r.out).toBe('Successfully applied 100003 bytes\n');
    expect(r.err).toContain(`warning: ${'x'.repeat(70_000)}\n`);
  });
});

describe('falling back to the work in this process', () => {
  const probe = (e: NodeJS.ProcessEnv = env) => viaServer(async () => 'used', e);

  it('uses a live server, and none when none is announced or EGRESS_LAB_DIRECT=1', async () => {
    expect(await probe()).toBeUndefined(); // only our own announcement
    announceAsParent(server!);
    expect(await probe()).toBe('used');
    expect(await probe({ ...env, EGRESS_LAB_DIRECT: '1' })).toBeUndefined();
  });

  it('a server that refuses (wrong token) or is gone is passed over', async () => {
    announceAsParent(server!, 'wrong-token');
    expect(await probe()).toBeUndefined();
    announceAsParent(server!);
    await server!.close();
    server = undefined;
    expect(await probe()).toBeUndefined();
  });
});
