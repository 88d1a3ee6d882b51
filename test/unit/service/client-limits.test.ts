// Captures and traffic generators are bounded per client (ClientScope: a WebSocket or a
// window) and in the whole service, and a client's are stopped when it goes; a pcap is read
// in bounded pieces, complete and in order. Over the simulated runtime, no Docker.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientScope } from '../../../src/service/client-scope.js';
import { LabService } from '../../../src/service/lab-service.js';
import { PCAP_CHUNK_BYTES } from '../../../src/service/live/capture-session.js';
import { readPcapInfo } from '../../../src/service/live/pcap.js';
import { FakeRuntime } from '../../support/fake-runtime.js';

const TEMPLATES = join(import.meta.dirname, '../../../lab-templates');
const LAB = 'outgoing-nat';
const text = readFileSync(join(TEMPLATES, `${LAB}.yaml`), 'utf8');

let runtime: FakeRuntime;
let service: LabService<FakeRuntime>;

beforeEach(async () => {
  runtime = new FakeRuntime();
  service = new LabService({ runtime, templatesDir: TEMPLATES });
  await service.up([{ file: `${LAB}.yaml`, text }]);
});

afterEach(async () => {
  await service.close();
  await runtime.close();
});

const capture = { lab: LAB, container: 'internet', filter: 'icmp' };
const traffic = { lab: LAB, from: 'web-1', to: 'internet', protocol: 'icmp' as const };

/** tcpdump processes running in the simulated lab. */
function tcpdumps(): number {
  return [...runtime.labs.get(LAB)!.procs].filter((p) => p.argv[0] === 'tcpdump').length;
}

async function until(ok: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('per-client and service-wide limits', () => {
  it('a client past its limit gets an error naming it; another client still may start', async () => {
    const a = new ClientScope(service, { captures: 3, traffic: 2 });
    for (let i = 0; i < 3; i++) await a.call('capture:start', capture);
    await expect(a.call('capture:start', capture)).rejects.toThrow(
      'at most 3 captures run at once per window',
    );
    for (let i = 0; i < 2; i++) await a.call('traffic:start', traffic);
    await expect(a.call('traffic:start', traffic)).rejects.toThrow(
      'at most 2 traffic generators run at once per window',
    );
    const b = new ClientScope(service, { captures: 3, traffic: 2 });
    await b.call('capture:start', capture);
    expect(tcpdumps()).toBe(4);
    // Stopping one frees its slot.
    const [first] = a.running().captures;
    await a.call('capture:stop', { captureId: first! });
    await a.call('capture:start', capture);
    await Promise.all([a.close(), b.close()]);
  });

  it('starts at the same moment cannot slip past the limit', async () => {
    const a = new ClientScope(service, { captures: 2, traffic: 2 });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => a.call('capture:start', capture)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(tcpdumps()).toBe(2);
    await a.close();
  });

  it('the service refuses past its own limit, whoever asks', async () => {
    service.live.limits = { captures: 3, traffic: 1 };
    const clients = [0, 1].map(() => new ClientScope(service));
    await clients[0]!.call('capture:start', capture);
    await clients[1]!.call('capture:start', capture);
    await clients[1]!.call('capture:start', capture);
    await expect(clients[0]!.call('capture:start', capture)).rejects.toThrow(
      'at most 3 captures run at once in this service',
    );
    await service.live.openTraffic(traffic);
    await expect(clients[0]!.call('traffic:start', traffic)).rejects.toThrow(
      'at most 1 traffic generators run at once in this service',
    );
    await Promise.all(clients.map((c) => c.close()));
  });

  it("closing a client stops its captures and traffic, nobody else's", async () => {
    const a = new ClientScope(service);
    const b = new ClientScope(service);
    const mine = await a.call('capture:start', capture);
    await a.call('traffic:start', traffic);
    const theirs = await b.call('capture:start', capture);
    expect(tcpdumps()).toBe(2);
    await a.close();
    await until(() => tcpdumps() === 1, 'the closed client’s tcpdump to end');
    const sessions = service.live.sessions(LAB);
    expect(sessions.captures.find((c) => c.captureId === mine.captureId)?.running).toBe(false);
    expect(sessions.captures.find((c) => c.captureId === theirs.captureId)?.running).toBe(true);
    expect(sessions.traffic.every((t) => !t.running)).toBe(true);
    await expect(a.call('capture:start', capture)).rejects.toThrow(/closed/);
    await b.close();
  });

  it('a capture that ended by itself frees its slot', async () => {
    const a = new ClientScope(service, { captures: 1, traffic: 1 });
    const { captureId } = await a.call('capture:start', capture);
    const ended = new Promise((r) => service.on('capture:ended', r));
    await service.live.capture(captureId).stop('timeout'); // as its own timeout would
    await ended;
    await a.call('capture:start', capture);
    await a.close();
  });
});

/** A pcap of `n` records of varied sizes, the last one cut short as while tcpdump writes. */
function bigPcap(n: number): { file: Buffer; whole: Buffer; packets: number } {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(101, 20);
  const records: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const len = i % 97 === 0 ? 60_000 + (i % 7) * 1000 : 40 + ((i * 131) % 1400);
    const r = Buffer.alloc(16 + len);
    r.writeUInt32LE(i, 0);
    r.writeUInt32LE(len, 8);
    r.writeUInt32LE(len, 12);
    for (let j = 0; j < len; j++) r[16 + j] = (i + j) & 0xff;
    records.push(r);
  }
  const whole = Buffer.concat([header, ...records]);
  const partial = Buffer.alloc(16 + 10);
  partial.writeUInt32LE(1500, 8);
  return { file: Buffer.concat([whole, partial]), whole, packets: n };
}

describe('pcap in pieces', () => {
  it('a large pcap arrives complete and in order, each piece bounded, the cut record dropped', async () => {
    const { captureId } = await service.call('capture:start', capture);
    const session = service.live.capture(captureId);
    const { file, whole, packets } = bigPcap(3000);
    expect(file.length).toBeGreaterThan(4 * PCAP_CHUNK_BYTES);
    runtime.labs.get(LAB)!.files.set(`internet:${session.pcapPath}`, file);

    const snap = await service.call('capture:pcap', { captureId });
    expect(snap.size).toBe(file.length);
    expect(snap.limitMb).toBe(32);
    const parts: Buffer[] = [];
    let count = 0;
    for (let offset = 0; ;) {
      const piece = await service.call('capture:pcap-chunk', {
        captureId,
        pcapId: snap.pcapId,
        offset,
      });
      const bytes = Buffer.from(piece.base64, 'base64');
      expect(bytes.length).toBeLessThanOrEqual(PCAP_CHUNK_BYTES);
      expect(piece.next).toBe(offset + bytes.length);
      parts.push(bytes);
      count += piece.packets;
      offset = piece.next;
      if (piece.done) break;
    }
    const got = Buffer.concat(parts);
    expect(got.equals(whole)).toBe(true);
    expect(count).toBe(packets);
    expect(readPcapInfo(got).packets).toBe(packets);
    // Read from a copy, in order, never the whole file at once; the copy is gone after.
    const reads = runtime.pcapReads.slice(1); // the first read is the header check
    expect(reads.length).toBeGreaterThan(4);
    expect(reads.every((r) => r.length <= PCAP_CHUNK_BYTES)).toBe(true);
    expect(reads.map((r) => r.offset)).toEqual(
      [...reads.map((r) => r.offset)].sort((x, y) => x - y),
    );
    const files = [...runtime.labs.get(LAB)!.files.keys()].filter((f) => f.includes(captureId));
    expect(files).toEqual([`internet:${session.pcapPath}`]);
    // The in-process form (CLI) reads the same pieces.
    const inProcess = await service.live.pcap(captureId);
    expect(inProcess.data.equals(whole)).toBe(true);
    await service.call('capture:stop', { captureId });
  });

  it('a client reads one pcap piece at a time', async () => {
    const a = new ClientScope(service);
    const { captureId } = await a.call('capture:start', capture);
    const { pcapId } = await a.call('capture:pcap', { captureId });
    const both = await Promise.allSettled([
      a.call('capture:pcap-chunk', { captureId, pcapId, offset: 0 }),
      a.call('capture:pcap-chunk', { captureId, pcapId, offset: 0 }),
    ]);
    expect(both.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((both[1] as PromiseRejectedResult).reason.message).toMatch(/one piece at a time/);
    await a.close();
  });

  it('a newer snapshot makes an older one unreadable, and a stale offset fails', async () => {
    const { captureId } = await service.call('capture:start', capture);
    const first = await service.call('capture:pcap', { captureId });
    const second = await service.call('capture:pcap', { captureId });
    await expect(
      service.call('capture:pcap-chunk', { captureId, pcapId: first.pcapId, offset: 0 }),
    ).rejects.toThrow(/taken again/);
    await expect(
      service.call('capture:pcap-chunk', {
        captureId,
        pcapId: second.pcapId,
        offset: second.size + 1,
      }),
    ).rejects.toThrow(/outside the file/);
    const piece = await service.call('capture:pcap-chunk', {
      captureId,
      pcapId: second.pcapId,
      offset: 0,
    });
    expect(piece.done).toBe(true);
    await service.call('capture:stop', { captureId });
  });
});
