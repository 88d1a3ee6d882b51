// ensureEngine over the finder's candidates: the first that answers a ping is used and
// named; when none answers, the message lists what was tried and what to start. Engines
// are stand-ins: an HTTP server on a unix socket answering /_ping, as dockerd does.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  engineInUse,
  ensureEngine,
  hostTarget,
  localFinderInput,
} from '../../../src/runtime/engine/engine.js';
import type { FinderInput } from '../../../src/runtime/engine/finder.js';

let home: string;
const servers: Server[] = [];

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'el-find-'));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  rmSync(home, { recursive: true, force: true });
});

/** A stand-in engine answering pings on this socket; returns the paths it was asked for. */
async function engineAt(path: string): Promise<string[]> {
  mkdirSync(join(path, '..'), { recursive: true });
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.end('OK');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(path, r));
  return asked;
}

/** The finder's view of the temporary home, on Linux, with nothing at /var/run/docker.sock. */
function finder(env: NodeJS.ProcessEnv = {}): FinderInput {
  const real = localFinderInput(env);
  return { ...real, platform: 'linux', home, defaultSocket: join(home, 'var-run-docker.sock') };
}

describe('ensureEngine', () => {
  it('uses the first candidate that answers and says which one', async () => {
    // Docker Desktop's socket exists but nothing listens (Desktop quit): skipped.
    mkdirSync(join(home, '.docker/desktop'), { recursive: true });
    writeFileSync(join(home, '.docker/desktop/docker.sock'), '');
    const asked = await engineAt(join(home, '.colima/default/docker.sock'));
    const progress: string[] = [];
    const docker = await ensureEngine((s, d) => progress.push(`${s}: ${d ?? ''}`), {
      finder: finder(),
      mayStart: false,
    });
    expect(engineInUse(docker)).toEqual({
      description: 'Colima at ~/.colima/default/docker.sock',
      host: `unix://${home}/.colima/default/docker.sock`,
      remote: false,
    });
    expect(progress).toContain('engine: using Colima at ~/.colima/default/docker.sock');
    expect(asked.some((u) => u.startsWith('/_ping'))).toBe(true);
  });

  it('follows the current docker context', async () => {
    const sock = join(home, 'ctx/engine.sock');
    await engineAt(sock);
    const id = (await import('node:crypto')).createHash('sha256').update('mine').digest('hex');
    mkdirSync(join(home, '.docker/contexts/meta', id), { recursive: true });
    writeFileSync(join(home, '.docker/config.json'), JSON.stringify({ currentContext: 'mine' }));
    writeFileSync(
      join(home, '.docker/contexts/meta', id, 'meta.json'),
      JSON.stringify({ Endpoints: { docker: { Host: `unix://${sock}` } } }),
    );
    const docker = await ensureEngine(undefined, { finder: finder(), mayStart: false });
    expect(engineInUse(docker)?.description).toBe(`context mine (unix://${sock})`);
  });

  it('when none answers, lists what it tried and what to start', async () => {
    mkdirSync(join(home, '.rd'), { recursive: true });
    writeFileSync(join(home, '.rd/docker.sock'), '');
    const none = ensureEngine(undefined, {
      finder: finder({ DOCKER_CONTEXT: 'default' }),
      mayStart: false,
    });
    await expect(none).rejects.toThrow(
      /No container engine answers \(tried: Rancher Desktop at ~\/\.rd\/docker\.sock; the Docker engine at .*var-run-docker\.sock\)\. Start .*Podman.*Colima or Rancher Desktop, or set DOCKER_HOST/,
    );
  });

  it('an engine named by DOCKER_HOST that does not answer is not replaced by another', async () => {
    await engineAt(join(home, '.colima/default/docker.sock'));
    const env = { DOCKER_HOST: `unix://${home}/nothing.sock` };
    await expect(
      ensureEngine(undefined, { env, finder: finder(env), mayStart: false }),
    ).rejects.toThrow(
      /No Docker engine answers on .*nothing\.sock \(from DOCKER_HOST\)\. Start it, or unset DOCKER_HOST/,
    );
  });
});

describe('hostTarget', () => {
  it('opens Windows named pipes as Node does', () => {
    expect(hostTarget('npipe:////./pipe/docker_engine').options).toEqual({
      socketPath: '//./pipe/docker_engine',
    });
  });
  it("uses a context's TLS folder and SkipTLSVerify", () => {
    mkdirSync(join(home, 'tls'));
    writeFileSync(join(home, 'tls/ca.pem'), 'CA');
    const t = hostTarget('tcp://10.0.0.5:2376', {}, { dir: join(home, 'tls'), skipVerify: true });
    expect(t.remote).toBe(true);
    expect(t.options).toMatchObject({
      protocol: 'https',
      host: '10.0.0.5',
      port: 2376,
      ca: Buffer.from('CA'),
      agentOptions: { rejectUnauthorized: false },
    });
  });
});
