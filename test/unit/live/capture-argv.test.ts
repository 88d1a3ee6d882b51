import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captureArgv, filterTokens } from '../../../src/service/live/capture-session.js';
import { readPcapInfo } from '../../../src/service/live/pcap.js';

describe('captureArgv', () => {
  it('prints lines and writes the pcap file from one tcpdump; the filter after --', () => {
    const argv = captureArgv({
      filter: ['icmp', 'and', 'host', '203.0.113.10'],
      pcapPath: '/tmp/x.pcap',
      pcapLimitMb: 32,
      count: 5,
    });
    expect(argv.slice(0, 10)).toEqual([
      'tcpdump',
      '-n',
      '-l',
      '--immediate-mode',
      '-i',
      'any',
      '-U',
      '-w',
      '/tmp/x.pcap',
      '--print',
    ]);
    expect(argv.slice(argv.indexOf('--'))).toEqual(['--', 'icmp', 'and', 'host', '203.0.113.10']);
    expect(argv).toContain('-c');
  });
  it('refuses an interface name that could be an option or a path', () => {
    expect(() =>
      captureArgv({ iface: '-w', filter: [], pcapPath: '/tmp/x', pcapLimitMb: 1 }),
    ).not.toThrow(); // "-w" is a valid ifname text; it sits after -i
    expect(() =>
      captureArgv({ iface: 'eth0/../x', filter: [], pcapPath: '/tmp/x', pcapLimitMb: 1 }),
    ).toThrow(/interface name/);
    expect(() =>
      captureArgv({ iface: 'a'.repeat(16), filter: [], pcapPath: '/tmp/x', pcapLimitMb: 1 }),
    ).toThrow(/interface name/);
  });
});

describe('filterTokens', () => {
  it('splits a string on whitespace: shell syntax stays literal words', () => {
    expect(filterTokens(' icmp  and  host 1.2.3.4 ')).toEqual(['icmp', 'and', 'host', '1.2.3.4']);
    expect(filterTokens('icmp; rm -rf /')).toEqual(['icmp;', 'rm', '-rf', '/']);
    expect(filterTokens(undefined)).toEqual([]);
  });
  it('bounds the filter', () => {
    expect(() => filterTokens(Array(65).fill('x'))).toThrow(/at most/);
    expect(() => filterTokens(['a\nb'])).toThrow(/bad word/);
  });
});

describe('readPcapInfo on a real capture', () => {
  // Saved by LiveFeatures.pcap() from tcpdump -w in a lab container: 2 pings = 4 packets,
  // the same four lines tcpdump printed (icmp-any.txt); `tcpdump -r` reads it back.
  const pcap = readFileSync(new URL('./fixtures/icmp-any.pcap', import.meta.url));
  const lines = readFileSync(new URL('./fixtures/icmp-any.txt', import.meta.url), 'utf8')
    .trim()
    .split('\n');

  it('counts the packets tcpdump printed', () => {
    const info = readPcapInfo(pcap);
    expect(info.packets).toBe(lines.length);
    expect(info.linktype).toBe(276); // LINKTYPE_LINUX_SLL2 on -i any
    expect(info.completeBytes).toBe(pcap.length);
  });
  it('a file cut inside a record counts only whole records', () => {
    const info = readPcapInfo(pcap.subarray(0, pcap.length - 10));
    expect(info.packets).toBe(lines.length - 1);
  });
  it('rejects what is not a pcap', () => {
    expect(() => readPcapInfo(Buffer.from('not a pcap file at all, no'))).toThrow(/magic/);
  });
});
