import { describe, expect, test } from 'vitest';
import {
  natIpSets,
  natOutgoingRules,
  natTable,
  felixPortRange,
} from '../../../src/core/dataplane/felix-nat.js';
import { renderAppendFelix, renderSaveLine } from '../../../src/core/dataplane/iptables-text.js';
import { ruleHashes } from '../../../src/core/dataplane/hash.js';
import { felix, pool } from '../helpers/lab.js';

const natPool = pool('nat', '192.168.0.0/16', { natOutgoing: true });
const plainPool = pool('plain', '10.0.0.0/8');

describe('Felix ipsets', () => {
  test('masq = natOutgoing pools (disabled too), all = every pool', () => {
    const sets = natIpSets(
      [natPool, plainPool, pool('off', '172.16.0.0/16', { natOutgoing: true, disabled: true })],
      felix(),
      [],
    );
    expect(sets).toEqual([
      {
        name: 'cali40masq-ipam-pools',
        type: 'hash:net',
        family: 'inet',
        members: ['172.16.0.0/16', '192.168.0.0/16'],
      },
      {
        name: 'cali40all-ipam-pools',
        type: 'hash:net',
        family: 'inet',
        members: ['10.0.0.0/8', '172.16.0.0/16', '192.168.0.0/16'],
      },
    ]);
  });
  test('IPPoolsAndHostIPs adds cali40all-hosts-net with the node addresses', () => {
    const sets = natIpSets([natPool], felix({ natOutgoingExclusions: 'IPPoolsAndHostIPs' }), [
      '172.30.0.12',
      '172.30.0.11',
    ]);
    expect(sets.map((s) => s.name)).toEqual([
      'cali40masq-ipam-pools',
      'cali40all-ipam-pools',
      'cali40all-hosts-net',
    ]);
    expect(sets[2]!.members).toEqual(['172.30.0.11/32', '172.30.0.12/32']);
  });
  test('IPv6 pools stay out of the v4 sets', () => {
    const sets = natIpSets(
      [pool('v6', 'fd00::/48', { natOutgoing: true, blockSize: 122 }), natPool],
      felix(),
      [],
    );
    expect(sets[0]!.members).toEqual(['192.168.0.0/16']);
  });
});

describe('cali-nat-outgoing', () => {
  test('empty when no pool has natOutgoing', () => {
    expect(natOutgoingRules([plainPool], felix())).toEqual([]);
  });
  test('default: the MASQUERADE rule of a real v3.30 node, byte for byte', () => {
    const rules = natOutgoingRules([natPool, plainPool], felix());
    const [hash] = ruleHashes('cali-nat-outgoing', rules);
    expect(rules.map((r) => renderSaveLine('cali-nat-outgoing', r, hash!))).toEqual([
      '-A cali-nat-outgoing -m comment --comment "cali:flqWnvo8yq4ULQLa" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully',
    ]);
  });
  test('natOutgoingAddress: SNAT --to-source', () => {
    const [r] = natOutgoingRules([natPool], felix({ natOutgoingAddress: '172.30.0.100' }));
    expect(renderAppendFelix('cali-nat-outgoing', r!, '')).toBe(
      '-A cali-nat-outgoing -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst --jump SNAT --to-source 172.30.0.100 --random-fully',
    );
  });
  test('iptablesNATOutgoingInterfaceFilter: --out-interface for Felix, -o first in iptables-save', () => {
    const [r] = natOutgoingRules([natPool], felix({ iptablesNATOutgoingInterfaceFilter: 'eth0' }));
    expect(renderAppendFelix('cali-nat-outgoing', r!, 'HASH')).toMatch(
      /dst --out-interface eth0 --jump MASQUERADE/,
    );
    expect(renderSaveLine('cali-nat-outgoing', r!, 'x')).toMatch(
      /^-A cali-nat-outgoing -o eth0 -m comment/,
    );
  });
  test('natPortRange: tcp and udp get the range and return, then the default rule', () => {
    const rules = natOutgoingRules([natPool], felix({ natPortRange: '32768:65000' }));
    const text = rules.map((r) => renderAppendFelix('cali-nat-outgoing', r, ''));
    expect(text).toEqual([
      expect.stringMatching(/dst -p tcp --jump MASQUERADE --to-ports 32768-65000 --random-fully$/),
      expect.stringMatching(/dst -p tcp --jump RETURN$/),
      expect.stringMatching(/dst -p udp --jump MASQUERADE --to-ports 32768-65000 --random-fully$/),
      expect.stringMatching(/dst -p udp --jump RETURN$/),
      expect.stringMatching(/dst --jump MASQUERADE --random-fully$/),
    ]);
    const snat = natOutgoingRules(
      [natPool],
      felix({ natPortRange: '1000-2000', natOutgoingAddress: '1.2.3.4' }),
    );
    expect(renderAppendFelix('c', snat[0]!, '')).toMatch(
      /--jump SNAT --to-source 1.2.3.4:1000-2000 --random-fully$/,
    );
  });
  test('natOutgoingExclusions IPPoolsAndHostIPs excludes all-hosts-net after all-ipam-pools', () => {
    const [r] = natOutgoingRules([natPool], felix({ natOutgoingExclusions: 'IPPoolsAndHostIPs' }));
    expect(renderAppendFelix('c', r!, '')).toContain(
      '-m set ! --match-set cali40all-ipam-pools dst -m set ! --match-set cali40all-hosts-net dst --jump MASQUERADE',
    );
  });
  test('felixPortRange accepts min:max and min-max', () => {
    expect(felixPortRange('1:2')).toBe('1-2');
    expect(felixPortRange('1-2')).toBe('1-2');
    expect(felixPortRange(undefined)).toBeUndefined();
  });
  test('the table: cali-POSTROUTING jumps fip-snat then nat-outgoing; POSTROUTING hook appended', () => {
    const t = natTable([natPool], felix());
    expect(t.chains.map((c) => c.name)).toEqual([
      'cali-POSTROUTING',
      'cali-fip-snat',
      'cali-nat-outgoing',
    ]);
    expect(t.chains[1]!.rules).toEqual([]);
    expect(t.appends).toEqual([
      {
        chain: 'POSTROUTING',
        rules: [{ match: [], action: { kind: 'jump', target: 'cali-POSTROUTING' } }],
      },
    ]);
  });
});
