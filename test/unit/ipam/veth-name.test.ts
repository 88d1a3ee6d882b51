import { describe, expect, test } from 'vitest';
import { calicoVethName } from '../../../src/core/ipam/veth-name.js';

describe('calicoVethName', () => {
  test('cali + 11 hex chars of SHA-1("<namespace>.<pod>") (expected values from Python hashlib)', () => {
    expect(calicoVethName('default', 'web-1')).toBe('cali0761ccbeace');
    expect(calicoVethName('kube-system', 'coredns-abc')).toBe('cali3d5d6ab04b5');
  });
  test('fits the 15-character interface name limit and depends on the namespace', () => {
    const n = calicoVethName('a-very-long-namespace-name', 'a-very-long-pod-name-indeed');
    expect(n).toMatch(/^cali[0-9a-f]{11}$/);
    expect(calicoVethName('other', 'web-1')).not.toBe(calicoVethName('default', 'web-1'));
  });
});
