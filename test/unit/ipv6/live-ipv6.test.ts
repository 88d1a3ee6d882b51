// IPv6 in the live features' text: conntrack lines of IPv6 flows (conntrack-tools 1.4.7 prints
// both families in `conntrack -L`), the echo server's peer as socat reports an IPv6 one, and
// the CLI's explain and rules for an IPv6 lab.
import { describe, expect, test } from 'vitest';
import { parseConntrackLine } from '../../../src/service/live/conntrack-parse.js';
import { formatConntrack } from '../../../src/service/live/format.js';
import { foldTrafficLine, seenAddress } from '../../../src/service/live/traffic-output.js';
import { runCli } from '../cli/run-cli.js';

const V6 =
  'udp      17 29 src=fd00:10:: dst=2001:db8:113::10 sport=43075 dport=8081 src=2001:db8:113::10 dst=2001:db8:30::11 sport=8081 dport=21715 mark=0 use=1';

describe('IPv6 in live output', () => {
  test('a NAT66 conntrack entry: translated to the node, marked IPv6, ports bracketed in text', () => {
    const e = parseConntrackLine(V6)!;
    expect(e).toMatchObject({
      protocol: 'udp',
      ipVersion: 6,
      translated: true,
      translatedTo: '2001:db8:30::11',
      original: { src: 'fd00:10::', sport: 43075, dport: 8081 },
    });
    const v4 = parseConntrackLine(
      'icmp     1 29 src=192.168.0.0 dst=203.0.113.10 type=8 code=0 id=7 src=203.0.113.10 dst=172.30.0.11 type=0 code=0 id=7 mark=0 use=1',
    )!;
    expect(v4.ipVersion).toBeUndefined();
    const text = formatConntrack([e]);
    expect(text).toContain('[fd00:10::]:43075 -> [2001:db8:113::10]:8081');
  });

  test('each IPv6 ping reply counts as it arrives, not only in the summary', () => {
    const t = { sent: 0, received: 0 };
    expect(
      foldTrafficLine(t, '64 bytes from 2001:db8:113::10: icmp_seq=3 ttl=62 time=0.1 ms', 5),
    ).toBe(true);
    expect(t).toMatchObject({ sent: 3, received: 1, lastReplyAt: 5 });
    foldTrafficLine(t, '64 bytes from 203.0.113.10: icmp_seq=4 ttl=62 time=0.1 ms', 6);
    expect(t).toMatchObject({ sent: 4, received: 2, lastReplyAt: 6 });
  });

  test("socat's IPv6 peer reads as the lab writes addresses", () => {
    expect(seenAddress('[2001:0db8:0030:0000:0000:0000:0000:0011]')).toBe('2001:db8:30::11');
    expect(seenAddress('172.30.0.11')).toBe('172.30.0.11');
  });
});

describe('the CLI over IPv6', () => {
  test('explain --ipv6: a name stands for its IPv6 address; rules show ip6tables under a family line', async () => {
    const file = 'lab-templates/nat66-toggle.yaml';
    const e = await runCli([
      'explain',
      file,
      '--from',
      'web-1',
      '--to',
      'internet',
      '--ipv6',
      '--json',
    ]);
    expect(e.code).toBe(0);
    expect(JSON.parse(e.out)).toMatchObject({
      ipVersion: 6,
      destination: '2001:db8:113::10',
      seenSource: '2001:db8:30::11',
      seenAs: 'node',
    });
    const r = await runCli(['rules', file, '--node', 'node-1', '--format', 'iptables']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('# IPv6: ip6tables-restore --noflush (nat table)\n*nat\n');
    expect(r.out.split('# IPv6:')[1]).toContain('cali60masq-ipam-pools');
    expect(r.out.split('# IPv6:')[0]).not.toContain('cali60');
  });
});
