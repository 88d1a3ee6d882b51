// Real `conntrack -L` output (conntrack-tools 1.4.7) from a lab node after a ping, a UDP
// and a TCP exchange with the internet host through MASQUERADE, and a pod-to-pod ping.
import { describe, expect, it } from 'vitest';
import {
  parseConntrackLine,
  parseConntrackList,
  parseDeletedCount,
} from '../../../src/service/live/conntrack-parse.js';

const LIST = `icmp     1 10 src=192.168.0.0 dst=203.0.113.10 type=8 code=0 id=9728 src=203.0.113.10 dst=172.30.0.11 type=0 code=0 id=22125 mark=0 use=1
tcp      6 99 TIME_WAIT src=192.168.0.0 dst=203.0.113.10 sport=49206 dport=8080 src=203.0.113.10 dst=172.30.0.11 sport=8080 dport=64297 [ASSURED] mark=0 use=1
icmp     1 19 src=192.168.0.0 dst=192.168.0.64 type=8 code=0 id=9730 [UNREPLIED] src=192.168.0.64 dst=192.168.0.0 type=0 code=0 id=9730 mark=0 use=1
udp      17 107 src=192.168.0.0 dst=203.0.113.10 sport=40000 dport=8081 src=203.0.113.10 dst=172.30.0.11 sport=8081 dport=48603 [ASSURED] mark=0 use=1
`;

describe('parseConntrackList', () => {
  const entries = parseConntrackList(LIST);

  it('reads every entry', () => {
    expect(entries.map((e) => e.protocol)).toEqual(['icmp', 'tcp', 'icmp', 'udp']);
  });

  it('ICMP through MASQUERADE: translated to the node, id rewritten (--random-fully)', () => {
    expect(entries[0]).toMatchObject({
      original: { src: '192.168.0.0', dst: '203.0.113.10', icmpId: 9728, icmpType: 8 },
      reply: { src: '203.0.113.10', dst: '172.30.0.11', icmpId: 22125, icmpType: 0 },
      translated: true,
      translatedTo: '172.30.0.11',
      timeout: 10,
    });
  });

  it('TCP keeps its state and flags; ports of both directions', () => {
    expect(entries[1]).toMatchObject({
      state: 'TIME_WAIT',
      flags: ['ASSURED'],
      original: { sport: 49206, dport: 8080 },
      reply: { sport: 8080, dport: 64297 },
      translated: true,
    });
  });

  it('pod to pod is not translated, and UNREPLIED between the tuples is a flag', () => {
    expect(entries[2]).toMatchObject({
      translated: false,
      flags: ['UNREPLIED'],
      reply: { src: '192.168.0.64', dst: '192.168.0.0' },
    });
    expect(entries[2]!.translatedTo).toBeUndefined();
  });

  it('reads -o extended lines (with the family in front) the same way', () => {
    const ext =
      'ipv4     2 udp      17 107 src=192.168.0.0 dst=203.0.113.10 sport=40000 dport=8081 src=203.0.113.10 dst=172.30.0.11 sport=8081 dport=48603 [ASSURED] mark=0 use=1';
    const { raw: _a, ...a } = parseConntrackLine(ext)!;
    const { raw: _b, ...b } = entries[3]!;
    expect(a).toEqual(b);
  });

  it('skips the summary line and garbage', () => {
    expect(
      parseConntrackList(
        'conntrack v1.4.7 (conntrack-tools): 8 flow entries have been shown.\n\nhello',
      ),
    ).toEqual([]);
  });
});

describe('parseDeletedCount', () => {
  it('reads the count conntrack -D prints on stderr', () => {
    expect(
      parseDeletedCount('conntrack v1.4.7 (conntrack-tools): 8 flow entries have been deleted.\n'),
    ).toBe(8);
    expect(
      parseDeletedCount('conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n'),
    ).toBe(0);
    expect(
      parseDeletedCount(
        'conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.',
      ),
    ).toBeUndefined();
  });
});
