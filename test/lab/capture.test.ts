// tcpdump and long-running commands in lab containers: lines arrive while the capture
// runs, stopping it ends tcpdump inside the container, count/timeout end it too, pcap
// mode writes a real pcap file, and a streamed process can be killed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabRuntime } from '../../src/runtime/lab/lab-runtime.js';
import { ADDR, podAddress, scenarioPlan } from './fixtures/scenario-lab.js';
import { labRuntime } from './helpers.js';

const LAB = 'elt-cap';
let rt: LabRuntime;
const tmp = mkdtempSync(join(tmpdir(), 'egress-lab-cap-'));

async function tcpdumpRunning(container: string): Promise<boolean> {
  return (await rt.exec(LAB, container, ['pgrep', '-x', 'tcpdump'])).exitCode === 0;
}

beforeAll(async () => {
  ({ runtime: rt } = await labRuntime());
  await rt.down(LAB);
  await rt.up(scenarioPlan({ name: LAB, natOutgoing: true }));
});

afterAll(async () => {
  await rt?.down(LAB);
  rmSync(tmp, { recursive: true, force: true });
});

describe('capture', () => {
  it('yields lines as packets arrive and stops tcpdump in the container when the consumer stops', async () => {
    const cap = rt.capture(LAB, 'internet', { iface: 'eth0', filter: ['icmp'] });
    await cap.ready;
    expect(await tcpdumpRunning('internet')).toBe(true);
    const ping = rt.execStream(LAB, 'web-1', ['ping', '-n', '-i', '0.2', ADDR.internet]);
    const first: string[] = [];
    for await (const line of cap) {
      first.push(line);
      if (first.length === 4) break; // breaking out stops the capture
    }
    await ping.kill('INT');
    expect(await ping.done).not.toBe(undefined);
    expect(
      first.filter((l) => l.includes(`IP ${ADDR.node1} > ${ADDR.internet}: ICMP echo request`))
        .length,
    ).toBeGreaterThan(0);
    expect((await cap.done).stoppedBy).toBe('stop');
    expect(await tcpdumpRunning('internet')).toBe(false);
    expect(await rt.exec(LAB, 'web-1', ['pgrep', '-x', 'ping']).then((r) => r.exitCode)).toBe(1);
  });

  it('ends by itself after count packets, and after a timeout', async () => {
    const counted = rt.capture(LAB, 'web-2', { iface: 'eth0', filter: ['icmp'], count: 2 });
    await counted.ready;
    const pinged = await rt.ping(LAB, 'web-2', ADDR.internet, 3);
    expect(pinged.received).toBe(3);
    const s = await counted.done;
    expect(s.stoppedBy).toBe('count');
    expect(s.captured).toBe(2);
    const lines: string[] = [];
    for await (const l of counted) lines.push(l);
    expect(lines.length).toBe(2);

    const started = Date.now();
    const timed = rt.capture(LAB, 'internet', { filter: ['udp', 'port', '9'], timeoutMs: 800 });
    await timed.ready;
    expect((await timed.done).stoppedBy).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await tcpdumpRunning('internet')).toBe(false);
  });

  it('writes a pcap file in pcap mode', async () => {
    const file = join(tmp, 'web-1.pcap');
    const cap = rt.capture(LAB, 'web-1', {
      iface: 'eth0',
      filter: ['icmp'],
      count: 4,
      pcapFile: file,
    });
    await cap.ready;
    await rt.ping(LAB, 'web-1', ADDR.internet, 2);
    const s = await cap.done;
    expect(s.captured).toBe(4);
    const bytes = readFileSync(file);
    expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4); // pcap magic, microsecond timestamps
    expect(bytes.length).toBe(s.pcapBytes);
    // the pod's own address is in the file (as the source of its requests)
    const pod = podAddress(scenarioPlan({ name: LAB, natOutgoing: true }), 'web-1')
      .split('.')
      .map(Number);
    expect(bytes.includes(Buffer.from(pod))).toBe(true);
  });

  it("refuses a bad filter with tcpdump's own message, and never treats filter tokens as options", async () => {
    const bad = rt.capture(LAB, 'internet', { filter: ['no-such-primitive', 'xyz'] });
    await expect(bad.ready).rejects.toThrow(/tcpdump/);
    // "-w /tmp/x" after "--" is filter text, not tcpdump's write option
    const sneaky = rt.capture(LAB, 'internet', { filter: ['-w', '/tmp/x'] });
    await expect(sneaky.ready).rejects.toThrow();
    expect((await rt.exec(LAB, 'internet', ['test', '-e', '/tmp/x'])).exitCode).toBe(1);
  });
});

describe('exec', () => {
  it('passes argv through without a shell and reports exit codes and output', async () => {
    const r = await rt.exec(LAB, 'internet', [
      'sh',
      '-c',
      'echo "$1"; echo err >&2; exit 7',
      'sh',
      '$(id); `id` ; |',
    ]);
    expect(r).toEqual({ exitCode: 7, stdout: '$(id); `id` ; |\n', stderr: 'err\n' });
  });

  it('reports status with addresses and BGP sessions', async () => {
    const [view] = await rt.status(LAB);
    const node1 = view?.containers.find((c) => c.name === 'node-1');
    expect(node1?.state).toBe('running');
    expect(node1?.addresses).toContainEqual({ ifname: 'eth0', address: `${ADDR.node1}/24` });
    expect(node1?.bgp?.map((b) => [b.neighbor, b.state])).toEqual([[ADDR.node2, 'Established']]);
    expect(view?.containers.map((c) => c.name).sort()).toEqual([
      'internet',
      'node-1',
      'node-2',
      'tor',
      'web-1',
      'web-2',
    ]);
  });
});
