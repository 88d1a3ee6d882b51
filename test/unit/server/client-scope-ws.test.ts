// Browser mode over a real WebSocket and the service over the simulated runtime: each socket
// is one client with its own limit, its captures and traffic stop when it closes, and a pcap
// comes through in bounded pieces.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LabService } from '../../../src/service/lab-service.js';
import { startServer, type RunningServer } from '../../../src/shells/server/server.js';
import { FakeRuntime } from '../../support/fake-runtime.js';

const TEMPLATES = join(import.meta.dirname, '../../../lab-templates');
const LAB = 'outgoing-nat';

let runtime: FakeRuntime;
let service: LabService<FakeRuntime>;
let server: RunningServer;

beforeEach(async () => {
  runtime = new FakeRuntime();
  service = new LabService({ runtime, templatesDir: TEMPLATES });
  const text = readFileSync(join(TEMPLATES, `${LAB}.yaml`), 'utf8');
  await service.up([{ file: `${LAB}.yaml`, text }]);
  const rendererDir = mkdtempSync(join(tmpdir(), 'egress-renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
  server = await startServer({ service, rendererDir, clientLimits: { captures: 2, traffic: 2 } });
});

afterEach(async () => {
  await server.close();
  await service.close();
  await runtime.close();
});

interface Client {
  ws: WebSocket;
  ask(
    channel: string,
    request: unknown,
  ): Promise<{ response?: unknown; error?: { message: string } }>;
}

async function client(): Promise<Client> {
  const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api?token=${server.token}`, {
    origin: server.origin,
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let id = 0;
  const waiting = new Map<number, (m: never) => void>();
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as { id?: number };
    if (m.id !== undefined) waiting.get(m.id)?.(m as never);
  });
  return {
    ws,
    ask: (channel, request) =>
      new Promise((resolve) => {
        const n = ++id;
        waiting.set(n, resolve);
        ws.send(JSON.stringify({ id: n, channel, request }));
      }),
  };
}

const capture = { lab: LAB, container: 'internet', filter: 'icmp' };
const tcpdumps = (): number =>
  [...runtime.labs.get(LAB)!.procs].filter((p) => p.argv[0] === 'tcpdump').length;

describe('a WebSocket is one client', () => {
  it('past its limit it gets an error naming the limit; closing it stops its captures', async () => {
    const a = await client();
    const b = await client();
    expect((await a.ask('capture:start', capture)).response).toBeDefined();
    expect((await a.ask('capture:start', capture)).response).toBeDefined();
    expect((await a.ask('capture:start', capture)).error?.message).toMatch(
      /at most 2 captures run at once per window/,
    );
    expect(
      (await a.ask('traffic:start', { lab: LAB, from: 'web-1', to: 'internet', protocol: 'icmp' }))
        .response,
    ).toBeDefined();
    expect((await b.ask('capture:start', capture)).response).toBeDefined();
    expect(tcpdumps()).toBe(3);
    a.ws.close();
    const end = Date.now() + 5000;
    while (tcpdumps() !== 1 || service.live.sessions(LAB).traffic.some((t) => t.running)) {
      if (Date.now() > end) throw new Error('the closed socket’s sessions still run');
      await new Promise((r) => setTimeout(r, 10));
    }
    b.ws.close();
  });

  it('a pcap arrives in pieces over the socket, complete and in order', async () => {
    const a = await client();
    const { captureId } = (await a.ask('capture:start', capture)).response as { captureId: string };
    const path = service.live.capture(captureId).pcapPath;
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt32LE(101, 20);
    const records = Array.from({ length: 400 }, (_, i) => {
      const r = Buffer.alloc(16 + 4000, i & 0xff);
      r.writeUInt32LE(4000, 8);
      r.writeUInt32LE(i, 0);
      return r;
    });
    const whole = Buffer.concat([header, ...records]); // ~1.6 MB: four pieces
    runtime.labs.get(LAB)!.files.set(`internet:${path}`, whole);
    const snap = (await a.ask('capture:pcap', { captureId })).response as { pcapId: string };
    const parts: Buffer[] = [];
    for (let offset = 0; ;) {
      const r = await a.ask('capture:pcap-chunk', { captureId, pcapId: snap.pcapId, offset });
      const piece = r.response as { base64: string; next: number; done: boolean };
      parts.push(Buffer.from(piece.base64, 'base64'));
      offset = piece.next;
      if (piece.done) break;
    }
    expect(parts.length).toBeGreaterThanOrEqual(4);
    expect(Buffer.concat(parts).equals(whole)).toBe(true);
    a.ws.close();
  });
});
