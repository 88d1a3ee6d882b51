// Browser mode's gatekeeping and protocol, over real HTTP and WebSocket connections:
// the page and the API need the token, the WebSocket needs the server's own Origin,
// and only known channels with well-formed payloads reach the service.
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LabInputError } from '../../../src/core/errors.js';
import type { LabApiClient, LabApiEventName } from '../../../src/service/api.js';
import { startServer, type RunningServer } from '../../../src/shells/server/server.js';

interface Recorded {
  channel: string;
  request: unknown;
}

function fakeService(): LabApiClient & {
  calls: Recorded[];
  emit(event: LabApiEventName, payload: unknown): void;
  listenerCount(): number;
} {
  const calls: Recorded[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  return {
    calls,
    async call(channel, request) {
      calls.push({ channel, request });
      if (channel === 'templates:list')
        return [{ id: 't', name: 't', description: 'd', docs: '', notes: '' }] as never;
      if (channel === 'lab:validate') {
        throw new LabInputError([
          { position: { file: 'x.yaml', line: 3, col: 5 }, message: 'bad' },
        ]);
      }
      return undefined as never;
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (p: unknown) => void);
      return () => set.delete(listener as (p: unknown) => void);
    },
    emit(event, payload) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
}

let server: RunningServer;
let service: ReturnType<typeof fakeService>;
let rendererDir: string;

beforeEach(async () => {
  rendererDir = mkdtempSync(join(tmpdir(), 'egress-renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Egress Lab</title>');
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(tmpdir(), 'egress-outside.txt'), 'secret');
  service = fakeService();
  server = await startServer({ service, rendererDir });
});

afterEach(async () => {
  await server.close();
});

function connect(opts: { token?: string; origin?: string } = {}): Promise<WebSocket> {
  const token = opts.token ?? server.token;
  const ws = new WebSocket(
    `${server.origin.replace('http', 'ws')}/api?token=${encodeURIComponent(token)}`,
    {
      origin: opts.origin ?? server.origin,
    },
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function next(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
}

async function ask(ws: WebSocket, msg: unknown): Promise<Record<string, unknown>> {
  const reply = next(ws);
  ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  return reply;
}

describe('startServer', () => {
  it('listens on 127.0.0.1 only, with a long random token', () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    expect(server.token.length).toBeGreaterThanOrEqual(40);
    expect(new URL(server.url).searchParams.get('token')).toBe(server.token);
  });

  it('serves the page only with the token, with a strict CSP', async () => {
    const without = await fetch(`${server.origin}/`);
    expect(without.status).toBe(403);
    const wrong = await fetch(`${server.origin}/?token=${server.token.slice(0, -1)}x`);
    expect(wrong.status).toBe(403);
    const ok = await fetch(server.url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Egress Lab');
    const csp = ok.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(ok.headers.get('x-frame-options')).toBe('DENY');
  });

  it('hands the token over as an HttpOnly SameSite cookie, so a reload without it gets in', async () => {
    const first = await fetch(server.url);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^egress_lab_token=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/);
    const pair = cookie.split(';')[0]!;
    expect((await fetch(`${server.origin}/`, { headers: { cookie: pair } })).status).toBe(200);
    const wrong = `${pair.slice(0, -1)}x`;
    expect((await fetch(`${server.origin}/`, { headers: { cookie: wrong } })).status).toBe(403);
    expect((await fetch(`${server.origin}/?token=nope`)).headers.get('set-cookie')).toBeNull();
    // The WebSocket takes the cookie too, and still checks the Origin.
    const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api`, {
      origin: server.origin,
      headers: { cookie: pair },
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.close();
    const noCookie = new WebSocket(`${server.origin.replace('http', 'ws')}/api?token=`, {
      origin: server.origin,
      headers: { cookie: wrong },
    });
    const status = await new Promise((resolve) => {
      noCookie.once('unexpected-response', (_req, res) => resolve(res.statusCode));
      noCookie.once('open', () => resolve('open'));
    });
    expect(status).toBe(401);
  });

  it('serves built assets but nothing outside the renderer directory', async () => {
    expect((await fetch(`${server.origin}/assets/app.js`)).status).toBe(200);
    // egress-outside.txt exists one level above the renderer directory.
    const escape = await fetch(`${server.origin}/%2E%2E%2Fegress-outside.txt`);
    expect(escape.status).toBe(404);
  });

  it('refuses requests whose Host is not the server itself (DNS rebinding)', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const url = new URL(server.url);
        const req = request(
          {
            host: '127.0.0.1',
            port: url.port,
            path: `/?token=${server.token}`,
            headers: { host: `evil.example:${url.port}` },
          },
          (r) => resolve(r.statusCode ?? 0),
        );
        req.on('error', reject);
        req.end();
      }, reject);
    });
    expect(res).toBe(421);
  });

  it('refuses a WebSocket without the right token', async () => {
    await expect(connect({ token: 'nope' })).rejects.toThrow('HTTP 401');
    await expect(connect({ token: '' })).rejects.toThrow('HTTP 401');
  });

  it('refuses a WebSocket from another origin, even with the token', async () => {
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(
      connect({ origin: server.origin.replace('127.0.0.1', 'localhost') }),
    ).rejects.toThrow('HTTP 403');
  });

  it('answers a valid call with the service response', async () => {
    const ws = await connect();
    const reply = await ask(ws, { id: 1, channel: 'templates:list' });
    expect(reply.id).toBe(1);
    expect(reply.response).toEqual([{ id: 't', name: 't', description: 'd', docs: '', notes: '' }]);
    ws.close();
  });

  it('rejects an unknown channel without calling the service', async () => {
    const ws = await connect();
    const reply = await ask(ws, { id: 2, channel: 'docker:exec', request: { cmd: 'rm -rf /' } });
    expect(reply).toEqual({ id: 2, error: { message: 'unknown channel: docker:exec' } });
    expect(service.calls).toEqual([]);
    ws.close();
  });

  it('rejects a payload of the wrong shape, naming the field, without calling the service', async () => {
    const ws = await connect();
    const missing = await ask(ws, {
      id: 3,
      channel: 'pool:patch',
      request: { lab: 'l', patch: {} },
    });
    expect((missing.error as { message: string }).message).toMatch(/^pool:patch: pool: /);
    const extra = await ask(ws, {
      id: 4,
      channel: 'lab:down',
      request: { name: 'l', force: true },
    });
    expect((extra.error as { message: string }).message).toMatch(/^lab:down: /);
    const wrongType = await ask(ws, {
      id: 5,
      channel: 'traffic:start',
      request: { lab: 'l', from: 'a', to: 'b', protocol: 'sctp' },
    });
    expect((wrongType.error as { message: string }).message).toMatch(/^traffic:start: protocol: /);
    expect(service.calls).toEqual([]);
    ws.close();
  });

  it('rejects malformed messages', async () => {
    const ws = await connect();
    expect(await ask(ws, 'not json')).toEqual({ error: { message: 'message is not JSON' } });
    expect((await ask(ws, { id: 6 })).error).toBeDefined();
    expect((await ask(ws, { id: 7, channel: 'templates:list', extra: 1 })).error).toBeDefined();
    expect(service.calls).toEqual([]);
    ws.close();
  });

  it('passes input problems (with positions) back to the page', async () => {
    const ws = await connect();
    const reply = await ask(ws, {
      id: 8,
      channel: 'lab:validate',
      request: { file: 'x.yaml', text: 'a: b' },
    });
    expect(reply.error).toEqual({
      message: 'x.yaml:3:5: bad',
      problems: [{ position: { file: 'x.yaml', line: 3, col: 5 }, message: 'bad' }],
    });
    ws.close();
  });

  it('pushes service events to connected pages and stops after they close', async () => {
    const ws = await connect();
    const got = next(ws);
    service.emit('traffic:stats', { trafficId: 't1', sent: 3, received: 2, running: true });
    expect(await got).toEqual({
      event: 'traffic:stats',
      payload: { trafficId: 't1', sent: 3, received: 2, running: true },
    });
    expect(service.listenerCount()).toBeGreaterThan(0);
    ws.close();
    await expect.poll(() => service.listenerCount()).toBe(0);
  });
});
