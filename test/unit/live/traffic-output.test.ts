import { describe, expect, it } from 'vitest';
import {
  foldTrafficLine,
  loopArgv,
  pingArgv,
  type Tally,
} from '../../../src/service/live/traffic-output.js';

describe('foldTrafficLine: iputils ping (one flow)', () => {
  it('counts replies and what was sent, then takes the summary as final', () => {
    const t: Tally = { sent: 0, received: 0 };
    // Real `ping -n -O -W 1 -i 0.2 -c 3` output from a lab pod to the internet host.
    const lines = [
      'PING 203.0.113.10 (203.0.113.10) 56(84) bytes of data.',
      '64 bytes from 203.0.113.10: icmp_seq=1 ttl=62 time=0.094 ms',
      '64 bytes from 203.0.113.10: icmp_seq=2 ttl=62 time=0.088 ms',
      '64 bytes from 203.0.113.10: icmp_seq=3 ttl=62 time=0.083 ms',
      '',
      '--- 203.0.113.10 ping statistics ---',
      '3 packets transmitted, 3 received, 0% packet loss, time 408ms',
    ];
    lines.slice(0, 3).forEach((l, i) => foldTrafficLine(t, l, 1000 + i));
    expect(t).toMatchObject({ sent: 2, received: 2, lastReplyAt: 1002 });
    for (const l of lines.slice(3)) foldTrafficLine(t, l, 2000);
    expect(t).toMatchObject({ sent: 3, received: 3, final: { sent: 3, received: 3 } });
  });

  it('no answer: "no answer yet" lines count as sent; the summary has the exact total', () => {
    const t: Tally = { sent: 0, received: 0 };
    // Real output to an address nobody holds (the router drops it).
    for (const l of ['no answer yet for icmp_seq=1', 'no answer yet for icmp_seq=2'])
      foldTrafficLine(t, l, 1);
    expect(t).toEqual({ sent: 2, received: 0 });
    foldTrafficLine(t, '3 packets transmitted, 0 received, 100% packet loss, time 406ms', 1);
    expect(t).toMatchObject({ sent: 3, received: 0 });
    expect(t.lastReplyAt).toBeUndefined();
  });

  it('an ICMP error from the router counts as sent, not as a reply', () => {
    const t: Tally = { sent: 0, received: 0 };
    // Real output to a documentation address the router has no route for.
    for (const l of [
      'From 172.30.0.1 icmp_seq=1 Destination Net Unreachable',
      'no answer yet for icmp_seq=1',
      'From 172.30.0.1 icmp_seq=2 Destination Net Unreachable',
    ]) {
      expect(foldTrafficLine(t, l, 5)).toBe(true);
    }
    expect(t).toEqual({ sent: 2, received: 0 });
    foldTrafficLine(
      t,
      '2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 201ms',
      5,
    );
    expect(t.final).toEqual({ sent: 2, received: 0 });
  });
});

describe('foldTrafficLine: the per-probe loop', () => {
  it('counts sent, ok (with the echo server\'s "seen" address) and fail', () => {
    const t: Tally = { sent: 0, received: 0 };
    for (const l of ['sent 1', 'sent 2', 'ok 1 172.30.0.11', 'fail 2', 'sent 3', 'ok 3', 'done 3'])
      foldTrafficLine(t, l, 7);
    expect(t).toEqual({ sent: 3, received: 2, lastReplyAt: 7, lastSeen: '172.30.0.11' });
  });
});

describe('generator argv', () => {
  it('ping: interval in seconds, address after --', () => {
    expect(pingArgv('203.0.113.10', 20, 5)).toEqual([
      'ping',
      '-n',
      '-O',
      '-W',
      '1',
      '-i',
      '0.020',
      '-c',
      '5',
      '--',
      '203.0.113.10',
    ]);
    expect(pingArgv('203.0.113.10', 200)).not.toContain('-c');
  });
  it('loop: parameters are positional arguments of a constant script', () => {
    const a = loopArgv('udp', '203.0.113.10', 8081, 50);
    expect(a.slice(0, 2)).toEqual(['sh', '-c']);
    expect(a.slice(3)).toEqual(['egress-lab-traffic', 'udp', '203.0.113.10', '8081', '50', '0']);
    expect(a[2]).not.toContain('203.0.113.10');
  });
});
