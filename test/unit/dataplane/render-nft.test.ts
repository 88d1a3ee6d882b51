// Felix's nftables mode rendered from the same NAT data: names, rule text, comments and
// hashes as felix/nftables (renderer.go, match_builder.go, actions.go, table_layer.go) make
// them, checked by nft itself where it is installed (`nft -c`: parse and validate only).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { diffDataplane } from '../../../src/core/dataplane/diff.js';
import { evaluateNat } from '../../../src/core/dataplane/evaluate.js';
import {
  nftHashedRules,
  nftRuleLines,
  renderNftApply,
  renderNftRuleset,
} from '../../../src/core/dataplane/render-nft.js';
import { explain } from '../../../src/core/explain/explain.js';
import type { FelixConfiguration } from '../../../src/core/model/calico.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { felix, makeLab, pool } from '../helpers/lab.js';

const NFT = { nftablesMode: 'Enabled' } as const;
const dpOf = (spec: FelixConfiguration['spec'] = NFT, natOutgoing = true) =>
  planLab(
    makeLab({
      felixConfiguration: felix(spec),
      ipPools: [pool('default-ipv4-ippool', '192.168.0.0/16', { natOutgoing })],
    }),
  ).containers.find((c) => c.name === 'node-1')!.dataplane!;

function nftAvailable(): boolean {
  return spawnSync('nft', ['--version']).status === 0 && process.getuid?.() === 0;
}

describe('nftables rendering', () => {
  test('the mode comes from nftablesMode: only Enabled is nftables', () => {
    expect(dpOf().natDataplane).toBe('nftables');
    expect(dpOf({}).natDataplane).toBe('iptables');
    expect(dpOf({ nftablesMode: 'Auto' }).natDataplane).toBe('iptables');
    expect(dpOf({ nftablesMode: 'Disabled' }).natDataplane).toBe('iptables');
  });

  test('table ip calico: named sets, the nat base chain, prefixed chains and jumps', () => {
    const t = renderNftRuleset(dpOf());
    expect(t.split('\n')[0]).toBe('table ip calico {');
    expect(t).toContain(
      'set cali40masq-ipam-pools { type ipv4_addr; flags interval; elements = { 192.168.0.0/16 } }',
    );
    expect(t).toContain(
      'chain nat-POSTROUTING {\n\t\ttype nat hook postrouting priority srcnat + 10;',
    );
    expect(t).toMatch(
      /\tchain nat-cali-nat-outgoing \{\n\t\tip saddr @cali40masq-ipam-pools ip daddr != @cali40all-ipam-pools counter masquerade fully-random comment "cali:[\w-]{16};"\n/,
    );
    expect(t).toMatch(/counter jump nat-cali-POSTROUTING comment "cali:/);
    expect(t).not.toMatch(/egress-lab|jump cali-|chain cali-/);
  });

  test('hashes: SHA-224 chained over the prefixed chain name and the nft text', () => {
    const rules = nftHashedRules(dpOf().nat);
    const own = (chain: string, texts: string[]): string[] => {
      let h: Buffer = createHash('sha224').update(chain).digest();
      return texts.map((t) => {
        h = createHash('sha224').update(h).update(t).digest();
        return h.toString('base64url').slice(0, 16);
      });
    };
    const out = rules.find((r) => r.chain === 'nat-cali-nat-outgoing')!;
    expect(out.hash).toBe(
      own('nat-cali-nat-outgoing', [
        'ip saddr @cali40masq-ipam-pools ip daddr != @cali40all-ipam-pools counter masquerade fully-random',
      ])[0],
    );
    const hook = rules.find((r) => r.appended)!;
    expect(hook.hash).toBe(
      own('nat-POSTROUTING*appends*', ['counter jump nat-cali-POSTROUTING'])[0],
    );
    // Not the iptables identities: the text and the chain names differ.
    expect(hook.hash).not.toBe('0i8pjzKKPyA34aQD');
  });

  test('port range, exclusions, interface filter, SNAT address: Felix nft words', () => {
    const ranged = renderNftRuleset(
      dpOf({ ...NFT, natPortRange: '40000:40010', natOutgoingExclusions: 'IPPoolsAndHostIPs' }),
    );
    expect(ranged).toContain(
      'ip saddr @cali40masq-ipam-pools ip daddr != @cali40all-ipam-pools ip daddr != @cali40all-hosts-net meta l4proto tcp counter masquerade to :40000-40010 fully-random',
    );
    expect(ranged).toContain('meta l4proto udp counter return comment');
    expect(ranged).toContain(
      'set cali40all-hosts-net { type ipv4_addr; flags interval; elements = { 172.30.0.11/32, 172.30.0.12/32 } }',
    );
    const snat = renderNftRuleset(
      dpOf({ ...NFT, natOutgoingAddress: '198.51.100.7', natPortRange: '1024:2048' }),
    );
    expect(snat).toContain('meta l4proto tcp counter snat to 198.51.100.7:1024-2048 fully-random');
    expect(snat).toContain('@cali40all-ipam-pools counter snat to 198.51.100.7 fully-random');
    const iface = renderNftRuleset(dpOf({ ...NFT, iptablesNATOutgoingInterfaceFilter: 'eth+' }));
    expect(iface).toContain('oifname "eth*" counter masquerade fully-random');
  });

  test('natOutgoing off: empty outgoing chain, empty masq set, the hook stays', () => {
    const t = renderNftRuleset(dpOf(NFT, false));
    expect(t).toContain('\tchain nat-cali-nat-outgoing {\n\t}');
    expect(t).toContain('set cali40masq-ipam-pools { type ipv4_addr; flags interval; }');
    expect(t).toContain('jump nat-cali-POSTROUTING');
  });

  test.skipIf(!nftAvailable())('nft itself accepts every variant (nft -c)', () => {
    for (const spec of [
      NFT,
      { ...NFT, natPortRange: '40000:40010', natOutgoingExclusions: 'IPPoolsAndHostIPs' as const },
      { ...NFT, natOutgoingAddress: '198.51.100.7', natPortRange: '1024:2048' },
      { ...NFT, iptablesNATOutgoingInterfaceFilter: 'eth+' },
    ]) {
      for (const on of [true, false]) {
        const input = renderNftApply(dpOf(spec, on));
        expect(() => execFileSync('nft', ['-c', '-f', '-'], { input })).not.toThrow();
      }
    }
  });

  test('diff: a toggle changes nft lines; a mode flip swaps every line and set', () => {
    const d = diffDataplane(dpOf(), dpOf(NFT, false));
    expect(d.removed).toHaveLength(1);
    expect(d.removed[0]).toMatch(
      /^add rule ip calico nat-cali-nat-outgoing .* masquerade fully-random comment "cali:/,
    );
    expect(d.added).toEqual([]);
    expect(d.ipsetChanges).toEqual([
      { set: 'ip calico @cali40masq-ipam-pools', removed: ['192.168.0.0/16'], added: [] },
    ]);
    const flip = diffDataplane(dpOf({}), dpOf());
    expect(flip.removed.every((l) => l.startsWith('-A '))).toBe(true);
    expect(flip.added).toEqual(nftRuleLines(dpOf().nat));
    expect(flip.ipsetChanges.map((c) => c.set).sort()).toEqual([
      'cali40all-ipam-pools',
      'cali40masq-ipam-pools',
      'ip calico @cali40all-ipam-pools',
      'ip calico @cali40masq-ipam-pools',
    ]);
  });

  test('evaluate and explain name the nft rule on an nftables node', () => {
    const dp = dpOf();
    const v = evaluateNat(dp, { src: '192.168.0.0', dst: '203.0.113.10', outIf: 'eth0' });
    expect(v.action).toBe('masquerade');
    const rule = nftHashedRules(dp.nat).find((r) => r.chain === 'nat-cali-nat-outgoing')!;
    expect(v).toMatchObject({
      rule: { chain: 'nat-cali-nat-outgoing', index: 0, hash: rule.hash, text: rule.text },
    });
    const e = explain(planLab(makeLab({ felixConfiguration: felix(NFT) })), 'web-1', 'internet');
    expect(e.seenAs).toBe('node');
    expect(e.nat).toMatchObject({
      rule: { chain: 'nat-cali-nat-outgoing', hash: rule.hash, text: rule.text },
    });
    expect(e.steps.join(' ')).toContain(`nat-cali-nat-outgoing rule 1 (cali:${rule.hash})`);
  });
});
