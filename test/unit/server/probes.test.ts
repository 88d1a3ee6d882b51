// Hostile-client probes against the browser-mode server: malformed requests and handshakes,
// connections reset mid-handshake, broken WebSocket frames, oversized messages and a client
// that stops reading. Each probe must leave the process alive (no uncaught error) and the
// server still answering a real page load and a real API call afterwards.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LabApiClient, LabApiEventName } from '../../../src/service/api.js';
import { requestUrl, startServer, type RunningServer } from '../../../src/shells/server/server.js';

type Listener = (p: unknown) => void;

function quietService(): LabApiClient & { emit(event: LabApiEventName, payload: unknown): void } {
  const listeners = new Map<string, Set<Listener>>();
  return {
    async call(channel) {
      if (channel === 'templates:list') return [] as never;
      return undefined as never;
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
    emit(event, payload) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
  };
}

let server: RunningServer;
let service: ReturnType<typeof quietService>;
const uncaught: unknown[] = [];
const onUncaught = (e: unknown): void => void uncaught.push(e);

beforeEach(async () => {
  uncaught.length = 0;
  process.on('uncaughtException', onUncaught);
  const dir = mkdtempSync(join(tmpdir(), 'egress-probe-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Egress Lab</title>');
  service = quietService();
  server = await startServer({ service, rendererDir: dir });
});

afterEach(async () => {
  await server.close();
  process.off('uncaughtException', onUncaught);
});

const port = (): number => Number(new URL(server.origin).port);
const host = (): string => new URL(server.origin).host;

/** Sends raw bytes, collects what comes back until the server closes or `ms` pass. */
function raw(bytes: string | Buffer, ms = 1000): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = tcpConnect(port(), '127.0.0.1', () => s.write(bytes));
    const done = (): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(done, ms);
    s.on('data', (d) => chunks.push(d));
    s.on('error', done);
    s.on('close', done);
  });
}

function handshake(path: string, extra: Record<string, string> = {}): string {
  const headers = {
    Host: host(),
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    Origin: server.origin,
    ...extra,
  };
  const lines = Object.entries(headers)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${v}`);
  return `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** An open WebSocket at the TCP level (handshake done by hand), to send any frame. */
function openRaw(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect(port(), '127.0.0.1', () =>
      s.write(handshake(`/api?token=${server.token}`)),
    );
    s.once('data', (d) => {
      if (d.toString('latin1').startsWith('HTTP/1.1 101')) resolve(s);
      else reject(new Error(d.toString('latin1')));
    });
    s.once('error', reject);
  });
}

/** One frame: FIN set, the given opcode, masked unless told otherwise. */
function frame(opcode: number, payload: Buffer, opts: { mask?: boolean; rsv?: number } = {}) {
  const mask = opts.mask ?? true;
  const head = [0x80 | ((opts.rsv ?? 0) << 4) | opcode];
  const len = payload.length;
  if (len < 126) head.push((mask ? 0x80 : 0) | len);
  else head.push((mask ? 0x80 : 0) | 126, len >> 8, len & 0xff);
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), key, body]);
}

/** What the server does after `bytes` on an open socket: resolves once it closes the socket. */
function sendOnOpen(bytes: Buffer): Promise<Buffer> {
  return openRaw().then(
    (s) =>
      new Promise((resolve) => {
        const got: Buffer[] = [];
        const timer = setTimeout(() => {
          s.destroy();
          resolve(Buffer.concat(got));
        }, 2000);
        s.on('data', (d) => got.push(d));
        s.on('error', () => undefined);
        s.on('close', () => {
          clearTimeout(timer);
          resolve(Buffer.concat(got));
        });
        s.write(bytes);
      }),
  );
}

/** Close code of the server's close frame, if it sent one. */
function closeCode(bytes: Buffer): number | undefined {
  if (bytes.length < 4 || (bytes[0]! & 0x0f) !== 0x8) return undefined;
  return bytes.readUInt16BE(2);
}

async function stillServing(): Promise<void> {
  expect(uncaught).toEqual([]);
  const page = await fetch(server.url);
  expect(page.status).toBe(200);
  const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api?token=${server.token}`, {
    origin: server.origin,
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const reply = new Promise<unknown>((r) => ws.once('message', (d) => r(JSON.parse(`${d}`))));
  ws.send(JSON.stringify({ id: 1, channel: 'templates:list' }));
  expect(await reply).toEqual({ id: 1, response: [] });
  ws.close();
}

describe('requestUrl', () => {
  it('gives undefined for targets that are no URL, instead of throwing', () => {
    expect(requestUrl('//[', 'http://127.0.0.1:1')).toBeUndefined();
    expect(requestUrl('/api?token=x', 'http://127.0.0.1:1')?.pathname).toBe('/api');
  });
});

describe('the server survives hostile clients', () => {
  it('a handshake whose target is no URL, without a token', async () => {
    const reply = await raw(handshake('//['));
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(`GET //[ HTTP/1.1\r\nHost: ${host()}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    await stillServing();
  });

  it('refused handshakes whose clients reset the connection, many times over', async () => {
    await Promise.all(
      Array.from(
        { length: 100 },
        () =>
          new Promise<void>((resolve) => {
            const s = tcpConnect(port(), '127.0.0.1', () => {
              s.write(handshake('/api?token=wrong'));
              s.resetAndDestroy();
            });
            s.on('error', () => undefined);
            s.on('close', () => resolve());
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
    await stillServing();
  });

  it('malformed handshakes and garbage before any request', async () => {
    const token = `/api?token=${server.token}`;
    expect(await raw(handshake(token, { 'Sec-WebSocket-Key': '' }))).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(handshake(token, { 'Sec-WebSocket-Version': '7' }))).toMatch(/^HTTP\/1\.1 4/);
    expect(await raw(Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]))).toMatch(
      /^HTTP\/1\.1 400/,
    );
    await raw(handshake(token).slice(0, 40), 200); // headers cut short, then gone
    await stillServing();
  });

  it.each([
    ['an unmasked frame', frame(1, Buffer.from('{}'), { mask: false }), 1002],
    ['invalid UTF-8 in a text frame', frame(1, Buffer.from([0xc3, 0x28])), 1007],
    ['a reserved opcode (3)', frame(3, Buffer.from('x')), 1002],
    ['reserved bits set', frame(1, Buffer.from('{}'), { rsv: 2 }), 1002],
    ['a close frame with an invalid code', frame(8, Buffer.from([0x03, 0xe7])), 1002],
  ])('%s: the connection is failed, the server goes on', async (_what, bytes, code) => {
    const back = await sendOnOpen(bytes);
    expect(closeCode(back)).toBe(code);
    await stillServing();
  });

  it('a frame that announces more than the size limit', async () => {
    const head = Buffer.from([0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0x60, 0, 0]); // 6 MiB
    const back = await sendOnOpen(Buffer.concat([head, randomBytes(4), Buffer.alloc(1024)]));
    expect(closeCode(back)).toBe(1009);
    await stillServing();
  });

  it('a schema-valid lab:validate over the message size limit', async () => {
    const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api?token=${server.token}`, {
      origin: server.origin,
    });
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.on('error', () => undefined);
    const text = `a: ${'x'.repeat(5 * 1024 * 1024)}`;
    ws.send(JSON.stringify({ id: 1, channel: 'lab:validate', request: { file: 'f', text } }));
    expect(await closed).toBe(1009);
    await stillServing();
  });

  it('a page that stops reading is cut off once too much waits for it', async () => {
    const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api?token=${server.token}`, {
      origin: server.origin,
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.on('error', () => undefined);
    const closed = new Promise<void>((r) => ws.once('close', () => r()));
    (ws as unknown as { _socket: Socket })._socket.pause(); // reads nothing from now on
    const big = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 120; i++) {
      service.emit('lab:changed', { name: 'l', note: big });
      await new Promise((r) => setImmediate(r));
    }
    // Reading again: a server that cut the page off has closed the socket by now; one that
    // kept everything queued would now deliver it all and stay open.
    (ws as unknown as { _socket: Socket })._socket.resume();
    const outcome = await Promise.race([
      closed.then(() => 'closed'),
      new Promise((r) => setTimeout(() => r('still open'), 5000)),
    ]);
    expect(outcome).toBe('closed');
    ws.terminate();
    await stillServing();
  });
});
