// Felix's nftablesMode with kube-proxy's mode known: Auto (v3.32's default) follows kube-proxy
// into nftables; Enabled and Disabled are what they say; before v3.32 Auto is refused by Felix
// and Disabled runs, whatever kube-proxy does.
import { describe, expect, test } from 'vitest';
import { felixUsesNftables } from '../../../src/core/calico/felix-nftables-auto.js';

describe('felixUsesNftables', () => {
  test.each([
    [undefined, 'v3.32', 'nftables', true],
    [undefined, 'v3.32', 'iptables', false],
    [undefined, 'v3.32', undefined, false],
    ['Auto', 'v3.33', 'nftables', true],
    ['Disabled', 'v3.33', 'nftables', false],
    ['Enabled', 'v3.30', undefined, true],
    [undefined, 'v3.30', 'nftables', false],
    ['Auto', 'v3.31', 'nftables', false],
  ] as const)('%s on %s with kube-proxy %s: %s', (mode, version, kp, want) => {
    expect(felixUsesNftables(mode, version, kp)).toBe(want);
  });
});
