// "Open in Wireshark": the capture's pcap reaches a Wireshark started as `wireshark -k -i -`,
// live, while packets flow, over the simulated lab (its tcpdump writes the same pcap the
// real one does). The Wireshark here is a stand-in process that keeps what arrives on stdin.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabService } from '../../../src/service/lab-service.js';
import {
  findWireshark,
  NO_WIRESHARK,
  wiresharkCandidates,
} from '../../../src/service/live/wireshark.js';
import { FakeRuntime } from '../../support/fake-runtime.js';

const TEMPLATES = join(import.meta.dirname, '../../../lab-templates');
const text = readFileSync(join(TEMPLATES, 'outgoing-nat.yaml'), 'utf8');
const LAB = 'outgoing-nat';

let runtime: FakeRuntime;
let service: LabService<FakeRuntime>;
const dir = mkdtempSync(join(tmpdir(), 'egress-wireshark-'));

beforeEach(async () => {
  runtime = new FakeRuntime();
  service = new LabService({ runtime, templatesDir: TEMPLATES });
  await service.up([{ file: 'outgoing-nat.yaml', text }]);
});

afterEach(async () => {
  await service.close();
  await runtime.close();
});

/** A stand-in Wireshark: writes its arguments and then its stdin to files. */
function fakeWireshark(name: string): { program: string; out: string; args: string } {
  const out = join(dir, `${name}.pcap`);
  const args = join(dir, `${name}.args`);
  const program = join(dir, name);
  writeFileSync(program, `#!/bin/sh\necho "$@" > '${args}'\nexec cat > '${out}'\n`);
  chmodSync(program, 0o755);
  return { program, out, args };
}

async function until(ok: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('wiresharkCandidates', () => {
  it('takes EGRESS_LAB_WIRESHARK alone, else PATH, then the installers’ places', () => {
    expect(
      wiresharkCandidates({ EGRESS_LAB_WIRESHARK: '/x/ws', PATH: '/usr/bin' }, 'linux'),
    ).toEqual(['/x/ws']);
    expect(wiresharkCandidates({ PATH: '/a:/b' }, 'linux')).toEqual([
      '/a/wireshark',
      '/b/wireshark',
    ]);
    expect(wiresharkCandidates({ PATH: '' }, 'darwin')).toEqual([
      '/Applications/Wireshark.app/Contents/MacOS/Wireshark',
    ]);
    expect(findWireshark(['/nope/wireshark'])).toBeUndefined();
  });
});

describe('openInWireshark', () => {
  it('feeds the capture’s pcap live, from its header through every packet, until it ends', async () => {
    const ws = fakeWireshark('ws1');
    const { captureId } = await service.call('capture:start', {
      lab: LAB,
      container: 'internet',
      filter: 'icmp',
    });
    const opened = await service.live.openInWireshark(
      captureId,
      () => ws.program,
      (p, a) => spawn(p, a, { stdio: ['pipe', 'ignore', 'ignore'] }),
    );
    expect(opened.program).toBe(ws.program);
    await service.call('traffic:start', {
      lab: LAB,
      from: 'web-1',
      to: 'internet',
      protocol: 'icmp',
      intervalMs: 50,
      count: 6,
    });
    // Live: packets are in the stand-in's file while the capture still runs.
    await until(
      () => existsSync(ws.out) && readFileSync(ws.out).length > 24 + 2 * 16,
      'live bytes',
    );
    expect(readFileSync(ws.args, 'utf8').trim()).toBe('-k -i -');
    await expect(service.live.openInWireshark(captureId, () => ws.program)).rejects.toThrow(
      /already open in Wireshark/,
    );
    await service.call('capture:stop', { captureId });
    const snap = await service.call('capture:pcap', { captureId }).catch(() => undefined);
    await until(() => readFileSync(ws.out).length > 24, 'the end of the stream');
    const body = readFileSync(ws.out);
    expect(body.readUInt32LE(0)).toBe(0xa1b2c3d4); // pcap magic, as tcpdump writes it
    if (snap) expect(body.length).toBeGreaterThanOrEqual(24);
  });

  it('says what to do when no Wireshark is there, and starts nothing', async () => {
    const { captureId } = await service.call('capture:start', { lab: LAB, container: 'internet' });
    await expect(service.live.openInWireshark(captureId, () => undefined)).rejects.toThrow(
      NO_WIRESHARK,
    );
    await expect(service.call('capture:wireshark', { captureId: 'nope' })).rejects.toThrow(
      /no capture 'nope'/,
    );
  });
});
