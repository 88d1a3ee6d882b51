import { describe, expect, it } from 'vitest';
import { classifyStderr, tcpdumpArgv } from '../../../src/runtime/capture/tcpdump.js';

describe('tcpdumpArgv', () => {
  it('asks for numeric, unbuffered, line-buffered output and puts the filter after --', () => {
    expect(
      tcpdumpArgv({ iface: 'eth0', filter: ['icmp', 'and', 'host', '203.0.113.10'], count: 5 }),
    ).toEqual([
      'tcpdump',
      '-n',
      '--immediate-mode',
      '-i',
      'eth0',
      '-l',
      '-c',
      '5',
      '--',
      'icmp',
      'and',
      'host',
      '203.0.113.10',
    ]);
  });
  it('streams pcap on stdout in pcap mode, defaults to any interface', () => {
    expect(tcpdumpArgv({ pcap: true })).toEqual([
      'tcpdump',
      '-n',
      '--immediate-mode',
      '-i',
      'any',
      '-U',
      '-w',
      '-',
    ]);
  });
  it('keeps option-looking filter tokens behind --', () => {
    const argv = tcpdumpArgv({ filter: ['-w', '/etc/passwd'] });
    expect(argv.indexOf('--')).toBeLessThan(argv.indexOf('-w'));
    expect(argv.filter((a) => a === '-w').length).toBe(1);
  });
  it('refuses bad interfaces and counts', () => {
    expect(() => tcpdumpArgv({ iface: 'eth0 -w x' })).toThrow(/interface name/);
    expect(() => tcpdumpArgv({ count: 0 })).toThrow(/count/);
    expect(() => tcpdumpArgv({ count: 1.5 })).toThrow(/count/);
  });
});

describe('classifyStderr', () => {
  it('recognises tcpdump 4.99 status lines', () => {
    expect(
      classifyStderr('listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes')
        .kind,
    ).toBe('listening');
    expect(
      classifyStderr(
        'tcpdump: listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes',
      ).kind,
    ).toBe('listening');
    expect(classifyStderr('4 packets captured')).toMatchObject({ kind: 'stats', captured: 4 });
    expect(classifyStderr('1 packet received by filter')).toMatchObject({
      kind: 'stats',
      received: 1,
    });
    expect(classifyStderr('0 packets dropped by kernel')).toMatchObject({
      kind: 'stats',
      dropped: 0,
    });
    expect(
      classifyStderr('tcpdump: verbose output suppressed, use -v[v]... for full protocol decode')
        .kind,
    ).toBe('info');
    expect(classifyStderr("tcpdump: can't parse filter expression: syntax error").kind).toBe(
      'error',
    );
  });
});
