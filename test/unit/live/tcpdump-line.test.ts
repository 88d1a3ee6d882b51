// Real tcpdump 4.99.3 lines, captured in lab containers (`tcpdump -n -l -i any` and `-i eth0`).
import { describe, expect, it } from 'vitest';
import { parseTcpdumpLine, splitEndpoint } from '../../../src/service/live/tcpdump-line.js';

describe('parseTcpdumpLine on -i any (interface and direction)', () => {
  it('ICMP echo request as the internet host sees a masqueraded pod', () => {
    const raw =
      '19:38:32.049107 eth0  In  IP 172.30.0.11 > 203.0.113.10: ICMP echo request, id 52112, seq 1, length 64';
    expect(parseTcpdumpLine(raw)).toEqual({
      raw,
      time: '19:38:32.049107',
      iface: 'eth0',
      direction: 'In',
      protocol: 'ICMP',
      src: '172.30.0.11',
      dst: '203.0.113.10',
      icmpType: 'echo request',
      icmpId: 52112,
      icmpSeq: 1,
      length: 64,
    });
  });

  it('ICMP echo reply going out', () => {
    const p = parseTcpdumpLine(
      '19:38:32.049123 eth0  Out IP 203.0.113.10 > 172.30.0.11: ICMP echo reply, id 52112, seq 1, length 64',
    );
    expect(p).toMatchObject({
      direction: 'Out',
      src: '203.0.113.10',
      dst: '172.30.0.11',
      icmpType: 'echo reply',
      icmpSeq: 1,
    });
  });

  it('TCP SYN with ports and options; length is the payload length', () => {
    const p = parseTcpdumpLine(
      '19:38:32.351945 eth0  In  IP 172.30.0.11.64297 > 203.0.113.10.8080: Flags [S], seq 1104616873, win 64240, options [mss 1460,sackOK,TS val 302220249 ecr 0,nop,wscale 10], length 0',
    );
    expect(p).toMatchObject({
      protocol: 'TCP',
      src: '172.30.0.11',
      sport: 64297,
      dst: '203.0.113.10',
      dport: 8080,
      tcpFlags: 'S',
      length: 0,
    });
  });

  it('TCP data decoded as HTTP by port keeps its length', () => {
    const p = parseTcpdumpLine(
      '19:38:32.352426 eth0  In  IP 172.30.0.11.64297 > 203.0.113.10.8080: Flags [P.], seq 1:4, ack 1, win 63, options [nop,nop,TS val 302220250 ecr 796843699], length 3: HTTP',
    );
    expect(p).toMatchObject({ protocol: 'TCP', tcpFlags: 'P.', length: 3, dport: 8080 });
  });

  it('UDP', () => {
    const p = parseTcpdumpLine(
      '19:38:33.405384 eth0  In  IP 172.30.0.11.48603 > 203.0.113.10.8081: UDP, length 3',
    );
    expect(p).toMatchObject({
      protocol: 'UDP',
      src: '172.30.0.11',
      sport: 48603,
      dst: '203.0.113.10',
      dport: 8081,
      length: 3,
    });
  });

  it('a later IP fragment has no ports and is marked', () => {
    const p = parseTcpdumpLine(
      '19:38:34.471769 eth0  In  IP 172.30.0.11 > 203.0.113.10: ip-proto-1',
    );
    expect(p).toMatchObject({
      protocol: 'IP',
      fragment: true,
      src: '172.30.0.11',
      dst: '203.0.113.10',
    });
    expect(p.length).toBeUndefined();
  });

  it('ICMP port unreachable: the type text is everything before the length', () => {
    const p = parseTcpdumpLine(
      '19:39:54.531568 lo    In  IP 10.99.0.1 > 10.99.0.1: ICMP 10.99.0.1 udp port 53 unreachable, length 38',
    );
    expect(p).toMatchObject({
      iface: 'lo',
      protocol: 'ICMP',
      icmpType: '10.99.0.1 udp port 53 unreachable',
      length: 38,
    });
    expect(p.icmpId).toBeUndefined();
  });

  it('a UDP packet tcpdump decodes by port (domain) is still UDP with ports', () => {
    const p = parseTcpdumpLine(
      '19:39:54.531385 lo    In  IP 10.99.0.1.60991 > 10.99.0.1.53: domain [length 2 < 12] (invalid)',
    );
    expect(p).toMatchObject({ protocol: 'UDP', sport: 60991, dport: 53 });
  });

  it('ARP request, out and broadcast in', () => {
    expect(
      parseTcpdumpLine(
        '19:39:53.500269 v0    Out ARP, Request who-has 10.99.0.2 tell 10.99.0.1, length 28',
      ),
    ).toMatchObject({
      iface: 'v0',
      direction: 'Out',
      protocol: 'ARP',
      arp: 'request',
      src: '10.99.0.1',
      dst: '10.99.0.2',
      length: 28,
    });
    expect(
      parseTcpdumpLine(
        '19:39:53.500275 v1    B   ARP, Request who-has 10.99.0.2 tell 10.99.0.1, length 28',
      ),
    ).toMatchObject({
      iface: 'v1',
      direction: 'B',
    });
  });
});

describe('parseTcpdumpLine on one interface (no link fields)', () => {
  it('ICMP', () => {
    const p = parseTcpdumpLine(
      '19:38:32.049074 IP 172.30.0.11 > 203.0.113.10: ICMP echo request, id 52112, seq 1, length 64',
    );
    expect(p.iface).toBeUndefined();
    expect(p.direction).toBeUndefined();
    expect(p).toMatchObject({
      time: '19:38:32.049074',
      protocol: 'ICMP',
      src: '172.30.0.11',
      icmpId: 52112,
    });
  });

  it('TCP FIN', () => {
    const p = parseTcpdumpLine(
      '19:38:33.356491 IP 172.30.0.11.64297 > 203.0.113.10.8080: Flags [F.], seq 4, ack 21, win 63, options [nop,nop,TS val 302221254 ecr 796843703], length 0',
    );
    expect(p).toMatchObject({ protocol: 'TCP', tcpFlags: 'F.', sport: 64297 });
  });

  it('ARP', () => {
    const p = parseTcpdumpLine(
      '19:39:53.500275 ARP, Request who-has 10.99.0.2 tell 10.99.0.1, length 28',
    );
    expect(p).toMatchObject({ protocol: 'ARP', src: '10.99.0.1', dst: '10.99.0.2' });
    expect(p.iface).toBeUndefined();
  });
});

describe('lines that are not packets', () => {
  it('keep only the raw text', () => {
    for (const raw of [
      '',
      'listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes',
      '4 packets captured',
    ]) {
      expect(parseTcpdumpLine(raw)).toEqual({ raw });
    }
  });
});

describe('splitEndpoint', () => {
  it('splits an IPv4 port and leaves a bare address', () => {
    expect(splitEndpoint('172.30.0.11.64297')).toEqual({ address: '172.30.0.11', port: 64297 });
    expect(splitEndpoint('203.0.113.10')).toEqual({ address: '203.0.113.10' });
  });
  it('splits an IPv6 port after the last dot', () => {
    expect(splitEndpoint('fe80::1.546')).toEqual({ address: 'fe80::1', port: 546 });
    expect(splitEndpoint('fe80::1')).toEqual({ address: 'fe80::1' });
  });
});
