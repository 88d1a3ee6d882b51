// `capture -w -`: tcpdump's pcap bytes go to stdout as they come, untouched; Ctrl-C (the
// signal) stops tcpdump in the container. A fake runtime stands in for the engine here; the
// lab test (test/lab/live-cli.test.ts) runs it against a real container.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { pcapStreamArgv, streamPcap } from '../../../src/shells/cli/pcap-stream.js';

function fakeRuntime() {
  const ee = new EventEmitter();
  let finish!: (code: number) => void;
  const done = new Promise<number>((r) => (finish = r));
  const calls: { argv: readonly string[]; kills: string[] } = { argv: [], kills: [] };
  return {
    ee,
    finish,
    calls,
    rt: {
      execStream: (_lab: string, _c: string, argv: readonly string[]) => {
        calls.argv = argv;
        return Object.assign(ee, {
          done,
          kill: async (s?: string) => {
            calls.kills.push(s ?? 'TERM');
            finish(0);
          },
        });
      },
    },
  };
}

describe('capture -w -', () => {
  it('tcpdump writes packet-buffered pcap to stdout; the filter follows --', () => {
    expect(pcapStreamArgv({ iface: 'eth0', count: 5, filter: ['icmp', '-or', 'udp'] })).toEqual([
      'tcpdump',
      '-n',
      '--immediate-mode',
      '-i',
      'eth0',
      '-U',
      '-w',
      '-',
      '-c',
      '5',
      '--',
      'icmp',
      '-or',
      'udp',
    ]);
    expect(() => pcapStreamArgv({ iface: 'eth0; rm', filter: [] })).toThrow(/interface name/);
  });

  it('copies the bytes through as they arrive and stops tcpdump on abort', async () => {
    const f = fakeRuntime();
    const chunks: Uint8Array[] = [];
    let err = '';
    const ac = new AbortController();
    const io = {
      out: () => undefined,
      err: (t: string) => (err += t),
      outBytes: (b: Uint8Array) => void chunks.push(b),
      readFile: async () => '',
      writeFile: async () => undefined,
      signal: ac.signal,
    };
    const run = streamPcap(io, f.rt, { lab: 'l', container: 'tor', filter: [] });
    const header = Buffer.from('d4c3b2a1020004000000000000000000ffff000071000000', 'hex');
    f.ee.emit('stderrLine', 'tcpdump: listening on any');
    f.ee.emit('stdout', header);
    expect(Buffer.concat(chunks)).toEqual(header); // before tcpdump ends: live
    f.ee.emit('stdout', Buffer.from([1, 2, 3]));
    ac.abort();
    expect(await run).toBe(0);
    expect(f.calls.kills).toEqual(['INT']);
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat([header, Buffer.from([1, 2, 3])]));
    expect(err).toContain('listening on any');
    expect(err).toContain('27 bytes of pcap');
  });
});
