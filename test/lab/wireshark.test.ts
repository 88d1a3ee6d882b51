// "Open in Wireshark" against a real lab: tcpdump in the outside host writes its pcap, the
// service follows it with `tail --pid -f` in the container and pipes it into a program started
// as `wireshark -k -i -` — here a stand-in that keeps what it receives. The bytes arrive while
// packets flow, and the host's own tcpdump reads them back: the node's address as source.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `ws-${randomBytes(3).toString('hex')}`;
const TEMPLATE = readFileSync('lab-templates/outgoing-nat.yaml', 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'egress-lab-ws-'));
let service: LabService;

beforeAll(async () => {
  service = new LabService({ templatesDir: 'lab-templates' });
  await service.up([{ file: 'outgoing-nat.yaml', text: TEMPLATE }], { name: LAB });
});

afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until(ok: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const size = (f: string): number => (existsSync(f) ? readFileSync(f).length : 0);

describe('open in Wireshark', () => {
  it('streams the capture’s pcap live into the program, readable by tcpdump', async () => {
    const out = join(dir, 'seen.pcap');
    const program = join(dir, 'wireshark');
    writeFileSync(program, `#!/bin/sh\nexec cat > '${out}'\n`);
    chmodSync(program, 0o755);
    const { captureId } = await service.call('capture:start', {
      lab: LAB,
      container: 'internet',
      filter: 'icmp',
    });
    await service.live.openInWireshark(
      captureId,
      () => program,
      (p, a) => spawn(p, a, { stdio: ['pipe', 'ignore', 'ignore'] }),
    );
    const record = await service.record(LAB);
    const node1 = record.lab.nodes.find((n) => n.name === 'node-1')!.address;
    const ping = await service.call('traffic:start', {
      lab: LAB,
      from: 'web-1',
      to: 'internet',
      protocol: 'icmp',
      intervalMs: 100,
    });
    // Live: requests and replies are in the program's input while the capture runs.
    await until(() => size(out) > 24 + 4 * 100, 'packets in the stream');
    await service.call('traffic:stop', { trafficId: ping.trafficId });
    await service.call('capture:stop', { captureId });
    const before = size(out);
    await new Promise((r) => setTimeout(r, 500));
    const text = execFileSync('tcpdump', ['-n', '-r', out], { encoding: 'utf8', stdio: 'pipe' });
    expect(text).toMatch(
      new RegExp(`IP ${node1.replace(/\./g, '\\.')} > 203\\.0\\.113\\.10: ICMP echo request`),
    );
    expect(text).toMatch(/ICMP echo reply/);
    expect(size(out)).toBe(before); // the stream ended with the capture
  });
});
