import { describe, expect, test } from 'vitest';
import { diffDataplane } from '../../../src/core/dataplane/diff.js';
import { evaluateNat, masqueradeSource } from '../../../src/core/dataplane/evaluate.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { felix, makeLab, pool } from '../helpers/lab.js';

const dpOf = (lab: ReturnType<typeof makeLab>) =>
  planLab(lab).containers.find((c) => c.name === 'node-1')!.dataplane!;

describe('evaluateNat', () => {
  const dp = dpOf(makeLab());
  test('pod -> outside: MASQUERADE, visiting the hook, the jumps and the rule', () => {
    const v = evaluateNat(dp, { src: '192.168.0.0', dst: '203.0.113.10', outIf: 'eth0' });
    expect(v.action).toBe('masquerade');
    expect(v.visited.map((h) => h.hash)).toEqual([
      '0i8pjzKKPyA34aQD',
      'Z-c7XtVd2Bq7s_hA',
      'nYKhEzDlr11Jccal',
      'flqWnvo8yq4ULQLa',
    ]);
  });
  test('destination in a pool or source outside the masq pools: no NAT', () => {
    expect(evaluateNat(dp, { src: '192.168.0.0', dst: '192.168.1.5', outIf: 'eth0' }).action).toBe(
      'none',
    );
    expect(evaluateNat(dp, { src: '172.30.0.11', dst: '203.0.113.10', outIf: 'eth0' }).action).toBe(
      'none',
    );
  });
  test('port range: tcp gets the ranged MASQUERADE (rule 1), icmp falls to the last rule', () => {
    const d = dpOf(makeLab({ felixConfiguration: felix({ natPortRange: '40000:40010' }) }));
    const tcp = evaluateNat(d, {
      src: '192.168.0.0',
      dst: '203.0.113.10',
      outIf: 'eth0',
      protocol: 'tcp',
    });
    expect(tcp).toMatchObject({ action: 'masquerade', toPorts: '40000-40010', rule: { index: 0 } });
    expect(
      evaluateNat(d, { src: '192.168.0.0', dst: '203.0.113.10', outIf: 'eth0', protocol: 'icmp' }),
    ).toMatchObject({ rule: { index: 4 } });
  });
  test('masqueradeSource skips secondary addresses and prefers the next hop subnet', () => {
    expect(masqueradeSource(['172.30.0.11/24', '172.30.0.50/24'], '172.30.0.1')).toBe(
      '172.30.0.11',
    );
    expect(masqueradeSource(['10.1.0.5/24', '172.30.0.11/24'], '172.30.0.1')).toBe('172.30.0.11');
    expect(masqueradeSource(['10.1.0.5/24', '172.30.0.11/24'], '8.8.8.8')).toBe('10.1.0.5');
  });
});

describe('diffDataplane', () => {
  test('turning natOutgoing off removes the MASQUERADE rule and empties the masq set', () => {
    const before = dpOf(makeLab());
    const after = dpOf(makeLab({ ipPools: [pool('default-ipv4-ippool', '192.168.0.0/16')] }));
    const d = diffDataplane(before, after);
    expect(d.node).toBe('node-1');
    expect(d.removed).toEqual([
      '-A cali-nat-outgoing -m comment --comment "cali:flqWnvo8yq4ULQLa" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully',
    ]);
    expect(d.added).toEqual([]);
    expect(d.ipsetChanges).toEqual([
      { set: 'cali40masq-ipam-pools', removed: ['192.168.0.0/16'], added: [] },
    ]);
  });
  test('no change, no diff', () => {
    expect(diffDataplane(dpOf(makeLab()), dpOf(makeLab()))).toEqual({
      node: 'node-1',
      removed: [],
      added: [],
      ipsetChanges: [],
    });
  });
  test('a new disabled pool only adds to the all-pools set', () => {
    const d = diffDataplane(
      dpOf(makeLab()),
      dpOf(
        makeLab({
          ipPools: [
            pool('default-ipv4-ippool', '192.168.0.0/16', { natOutgoing: true }),
            pool('x', '10.0.0.0/8', { disabled: true }),
          ],
        }),
      ),
    );
    expect(d).toMatchObject({
      removed: [],
      added: [],
      ipsetChanges: [{ set: 'cali40all-ipam-pools', removed: [], added: ['10.0.0.0/8'] }],
    });
  });
});
