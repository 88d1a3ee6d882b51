// A student's token (issue 18): browser mode serves that student's lab and nothing else.
// Over real HTTP and WebSocket connections to the server, with a recording service behind it:
// calls naming another lab, lab-less calls that read labs, starting or removing labs and the
// instructor's view are refused before the service sees them; events of other labs, and
// captures the student did not start, never reach the page.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LabApiClient, LabApiEventName } from '../../../src/service/api.js';
import { LabScopedClient } from '../../../src/service/lab-scope.js';
import { startServer, type RunningServer } from '../../../src/shells/server/server.js';

function recordingService(): LabApiClient & {
  calls: string[];
  emit(event: LabApiEventName, payload: unknown): void;
} {
  const calls: string[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let n = 0;
  return {
    calls,
    async call(channel, request) {
      calls.push(`${channel} ${JSON.stringify(request ?? null)}`);
      if (channel === 'capture:start') return { captureId: `cap-${++n}` } as never;
      if (channel === 'lab:status') return [{ name: (request as { name: string }).name }] as never;
      return {} as never;
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
  };
}

describe('LabScopedClient', () => {
  it('passes calls naming its lab, refuses the rest before the service sees them', async () => {
    const svc = recordingService();
    const a = new LabScopedClient(svc, 'ws-1');
    await expect(a.call('session:scope', undefined)).resolves.toEqual({ lab: 'ws-1' });
    await a.call('pool:list', { lab: 'ws-1' });
    await a.call('lab:status', {});
    await a.call('templates:list', undefined);
    for (const [channel, request] of [
      ['pool:list', { lab: 'ws-2' }],
      ['lab:status', { name: 'ws-2' }],
      ['lab:source', { name: 'ws-2' }],
      ['lab:up', { file: 'x.yaml', text: '', name: 'ws-1' }],
      ['lab:down', { name: 'ws-1' }],
      ['workshop:overview', undefined],
      ['capture:stop', { captureId: 'cap-99' }],
      ['traffic:stop', { trafficId: 't-1' }],
    ] as const) {
      await expect(a.call(channel, request as never), channel).rejects.toThrow(/not allowed/);
    }
    expect(svc.calls).toEqual([
      'pool:list {"lab":"ws-1"}',
      'lab:status {"name":"ws-1"}',
      'templates:list null',
    ]);
  });

  it("shows its lab's events and its own captures' packets only", async () => {
    const svc = recordingService();
    const a = new LabScopedClient(svc, 'ws-1');
    const seen: string[] = [];
    a.on('lab:event', (e) => seen.push(`event ${e.lab}`));
    a.on('exercise:progress', (e) => seen.push(`progress ${e.lab}`));
    a.on('capture:packet', (p) => seen.push(`packet ${p.captureId}`));
    const { captureId } = await a.call('capture:start', { lab: 'ws-1', container: 'internet' });
    svc.emit('lab:event', { lab: 'ws-2', kind: 'change', message: 'm', at: 0 });
    svc.emit('lab:event', { lab: 'ws-1', kind: 'change', message: 'm', at: 0 });
    svc.emit('exercise:progress', { lab: 'ws-2', running: true, steps: 1, current: 0, passed: [] });
    svc.emit('capture:packet', { captureId: 'cap-other', raw: '' });
    svc.emit('capture:packet', { captureId, raw: '' });
    expect(seen).toEqual(['event ws-1', `packet ${captureId}`]);
    await a.call('capture:stop', { captureId });
  });
});

describe('browser mode with a token per lab', () => {
  let server: RunningServer;
  let svc: ReturnType<typeof recordingService>;

  beforeEach(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-renderer-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>');
    svc = recordingService();
    server = await startServer({
      service: svc,
      rendererDir: dir,
      students: [{ lab: 'ws-1' }, { lab: 'ws-2' }],
    });
  });
  afterEach(async () => {
    await server.close();
  });

  async function call(token: string, channel: string, request: unknown): Promise<unknown> {
    const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api?token=${token}`, {
      headers: { Origin: server.origin },
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const msg = await new Promise((resolve) => {
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as { id?: number };
        if (m.id === 1) resolve(m);
      });
      ws.send(JSON.stringify({ id: 1, channel, request }));
    });
    ws.close();
    return msg;
  }

  it('gives each lab its own token and URL, distinct from the instructor’s', () => {
    const tokens = new Set([server.token, ...server.students.map((s) => s.token)]);
    expect(tokens.size).toBe(3);
    for (const s of server.students) expect(s.url).toBe(`${server.origin}/?token=${s.token}`);
  });

  it("a student's page opens, and sees its own lab only", async () => {
    const [one, two] = server.students;
    const page = await fetch(one!.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toContain(one!.token);
    expect(await call(one!.token, 'session:scope', null)).toEqual({
      id: 1,
      response: { lab: 'ws-1' },
    });
    expect(await call(one!.token, 'pool:list', { lab: 'ws-2' })).toMatchObject({
      error: { message: expect.stringMatching(/not allowed: lab ws-2/) },
    });
    expect(await call(two!.token, 'workshop:overview', null)).toMatchObject({
      error: { message: expect.stringMatching(/not allowed/) },
    });
    // The instructor's token sees every lab and the overview.
    expect(await call(server.token, 'pool:list', { lab: 'ws-2' })).toMatchObject({ response: {} });
    expect(await call(server.token, 'session:scope', null)).toMatchObject({ response: {} });
    expect(svc.calls).toContain('pool:list {"lab":"ws-2"}');
    expect(svc.calls.filter((c) => c.startsWith('pool:list'))).toHaveLength(1);
  });

  it('a made-up token opens nothing', async () => {
    expect((await fetch(`${server.origin}/?token=${'a'.repeat(43)}`)).status).toBe(403);
  });
});
