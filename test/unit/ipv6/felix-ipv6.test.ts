// Felix's IPv6 NAT as the lab renders it, line by line against Felix's source:
// felix/rules/nat.go (NATOutgoingChain and makeNATOutgoingRuleIPTables take ipVersion and name
// the sets through ipSetConfig(ipVersion)), felix/ipsets (IPv6 sets are "cali60" + ID, family
// inet6), felix/rules/static.go (the same cali-POSTROUTING chain and POSTROUTING hook for both
// versions), felix/config/config_params.go (natOutgoingAddress is `config:"ipv4;"`).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { natBehaviour } from '../../../src/core/calico/versions.js';
import { diffDataplane } from '../../../src/core/dataplane/diff.js';
import { natIpSets6, natTable6 } from '../../../src/core/dataplane/felix-nat6.js';
import { natTable } from '../../../src/core/dataplane/felix-nat.js';
import { renderIptablesSave, saveLines } from '../../../src/core/dataplane/render-nat.js';
import { patchedLab } from '../../../src/core/changes/lab-changes.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderContainer } from '../../../src/core/plan/render-container.js';
import { felix, pool } from '../helpers/lab.js';

const template = (id: string) => {
  const file = `lab-templates/${id}.yaml`;
  return loadLab([{ file, text: readFileSync(file, 'utf8') }]);
};

describe('ip6tables nat table', () => {
  const pools = [
    pool('v4', '192.168.0.0/16', { natOutgoing: true }),
    pool('ula', 'fd00:10::/48', { blockSize: 122, natOutgoing: true }),
  ];

  test('cali-nat-outgoing MASQUERADEs the cali60 masq set to outside the cali60 all set', () => {
    const lines = saveLines(natTable6(pools, felix({})));
    const rule = lines.find((l) => l.startsWith('-A cali-nat-outgoing'))!;
    expect(rule).toMatch(
      /^-A cali-nat-outgoing -m comment --comment "cali:[\w-]{16}" -m set --match-set cali60masq-ipam-pools src -m set ! --match-set cali60all-ipam-pools dst -j MASQUERADE --random-fully$/,
    );
    // Same chains and hooks as IPv4 (static.go): their rules hash the same in both families;
    // the MASQUERADE rule names other sets, so its cali: hash differs.
    const v4 = saveLines(natTable(pools, felix({})));
    expect(lines.filter((l) => !l.startsWith('-A cali-nat-outgoing'))).toEqual(
      v4.filter((l) => !l.startsWith('-A cali-nat-outgoing')),
    );
    expect(rule.slice(0, 60)).not.toBe(
      v4.find((l) => l.startsWith('-A cali-nat-outgoing'))!.slice(0, 60),
    );
  });

  test('empty chain when no IPv6 pool has natOutgoing (IPv4 NAT does not count)', () => {
    const off = [pools[0]!, pool('ula', 'fd00:10::/48', { blockSize: 122, natOutgoing: false })];
    expect(saveLines(natTable6(off, felix({}))).some((l) => l.includes('MASQUERADE'))).toBe(false);
  });

  test('natPortRange gives the five rules of nat.go, natOutgoingAddress is IPv4 only', () => {
    const t = natTable6(
      pools,
      felix({ natPortRange: '32768:65535', natOutgoingAddress: '172.30.0.50' }),
    );
    const rules = t.chains.find((c) => c.name === 'cali-nat-outgoing')!.rules;
    expect(rules.map((r) => r.action)).toEqual([
      { kind: 'masquerade', toPorts: '32768-65535', randomFully: true },
      { kind: 'return' },
      { kind: 'masquerade', toPorts: '32768-65535', randomFully: true },
      { kind: 'return' },
      { kind: 'masquerade', randomFully: true },
    ]);
    expect(renderIptablesSave(t)).not.toContain('SNAT');
  });

  test('IPPoolsAndHostIPs excludes cali60all-hosts-net, the nodes’ IPv6 addresses', () => {
    const f = felix({ natOutgoingExclusions: 'IPPoolsAndHostIPs' });
    const sets = natIpSets6(pools, f, ['2001:db8:30::11', '2001:db8:30::12']);
    expect(sets.map((s) => [s.name, s.family, s.members])).toEqual([
      ['cali60masq-ipam-pools', 'inet6', ['fd00:10::/48']],
      ['cali60all-ipam-pools', 'inet6', ['fd00:10::/48']],
      ['cali60all-hosts-net', 'inet6', ['2001:db8:30::11/128', '2001:db8:30::12/128']],
    ]);
    expect(saveLines(natTable6(pools, f)).join('\n')).toContain(
      '-m set ! --match-set cali60all-hosts-net dst',
    );
  });

  test('the all-pools set follows the version: cali60network-ip-pools from v3.31.6', () => {
    const sets = natIpSets6(pools, felix({}), [], natBehaviour('v3.31.6'));
    expect(sets.map((s) => s.name)).toEqual(['cali60masq-ipam-pools', 'cali60network-ip-pools']);
  });
});

describe('a node of an IPv6 lab', () => {
  test('renders both families; the IPv6 table is only in IPv6 labs', () => {
    const plan = planLab(template('nat66-toggle'));
    const node = plan.containers.find((c) => c.name === 'node-1')!;
    const r = renderContainer(node);
    expect(r.ipsetRestore).toContain('create cali60masq-ipam-pools hash:net family inet6');
    expect(r.ipsetRestore).toMatch(/add \S+ fd00:10::\/48/);
    expect(r.ip6tablesSave).toContain('cali60masq-ipam-pools');
    expect(r.iptablesSave).not.toContain('cali60');
    const v4 = planLab(template('outgoing-nat')).containers.find((c) => c.name === 'node-1')!;
    expect(v4.dataplane!.ipv6).toBeUndefined();
    expect(renderContainer(v4).ip6tablesSave).toBeUndefined();
  });

  test('a toggle on an IPv6 pool shows in the rule diff as ip6tables lines and a cali60 set change', () => {
    const lab = template('nat66-toggle');
    const before = planLab(lab).containers.find((c) => c.name === 'node-1')!.dataplane!;
    const next = patchedLab(lab, 'ula-pool', { spec: { natOutgoing: false } });
    const after = planLab(next).containers.find((c) => c.name === 'node-1')!.dataplane!;
    const d = diffDataplane(before, after);
    expect(d.removed).toHaveLength(1);
    expect(d.removed[0]).toMatch(
      /^ip6tables: -A cali-nat-outgoing .*cali60masq-ipam-pools.*MASQUERADE/,
    );
    expect(d.added).toEqual([]);
    expect(d.ipsetChanges).toEqual([
      { set: 'cali60masq-ipam-pools', removed: ['fd00:10::/48'], added: [] },
    ]);
  });
});
