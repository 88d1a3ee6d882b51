// Felix's `table ip6 calico` (nftablesMode: Enabled in a dual-stack lab), every rendered line
// against Felix's source: int_dataplane.go (a second "calico" root table of family ip6, its
// "nat" layer), nftables/table.go (the nat POSTROUTING base chain: type nat, srcnat + 10),
// table_layer.go (the `nat-` prefix), renderer.go (Match.IPVersion(6): match_builder.go's
// insertIPVersion writes `ip6 saddr`/`ip6 daddr`; "<matches> counter <action>"; comment
// "cali:<hash>;"; the hash chained SHA-224 over the prefixed chain name and that text),
// ipsets.go (cali60 names, `type ipv6_addr; flags interval;` for hash:net), rules/nat.go.
// nft itself checks the transaction where it is installed (`nft -c`, root).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { diffDataplane } from '../../../src/core/dataplane/diff.js';
import { felixIpv6 } from '../../../src/core/dataplane/render-nft6.js';
import {
  nft6HashedRules,
  nft6RuleLines,
  renderNft6ApplyParts,
  renderNft6Ruleset,
} from '../../../src/core/dataplane/render-nft6.js';
import { natIpSets6, natTable6 } from '../../../src/core/dataplane/felix-nat6.js';
import { nftHashedRules, renderNftApply } from '../../../src/core/dataplane/render-nft.js';
import { natTable } from '../../../src/core/dataplane/felix-nat.js';
import { patchedLab } from '../../../src/core/changes/lab-changes.js';
import { explain } from '../../../src/core/explain/explain.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import type { Lab } from '../../../src/core/model/lab.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderContainer } from '../../../src/core/plan/render-container.js';
import { renderNodeRules } from '../../../src/service/offline.js';
import { applyInputFiles } from '../../../src/runtime/agent/apply-input.js';
import { felix, pool } from '../helpers/lab.js';

const FILE = 'lab-templates/nat66-toggle.yaml';
const NFT_FELIX = `---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata:
  name: default
spec:
  nftablesMode: Enabled
`;
/** The NAT66 template with Felix in nftables mode (and `extra` Felix fields). */
function nftLab(extra = ''): Lab {
  const text = `${readFileSync(FILE, 'utf8')}${NFT_FELIX}${extra}`;
  return loadLab([{ file: FILE, text }]);
}
const node1 = (lab: Lab) => planLab(lab).containers.find((c) => c.name === 'node-1')!;

const pools = [
  pool('v4', '192.168.0.0/16', { natOutgoing: true }),
  pool('ula', 'fd00:10::/48', { blockSize: 122, natOutgoing: true }),
  pool('ula-2', 'fd00:20::/48', { blockSize: 122 }),
];
const v6 = (spec = {}) => ({
  ipsets: natIpSets6(pools, felix(spec), ['2001:db8:30::11', '2001:db8:30::12']),
  nat: natTable6(pools, felix(spec)),
});

/** generictables.RuleHashes, written out again: SHA-224 over the chain name, then each text. */
function felixHashes(chain: string, texts: string[]): string[] {
  let h: Buffer = createHash('sha224').update(chain).digest();
  return texts.map((t) => {
    h = createHash('sha224').update(h).update(t).digest();
    return h.toString('base64url').slice(0, 16);
  });
}

const MASQ =
  'ip6 saddr @cali60masq-ipam-pools ip6 daddr != @cali60all-ipam-pools counter masquerade fully-random';

describe('table ip6 calico', () => {
  test('every line of the table: sets, base chain, chains, rules with their cali: hashes', () => {
    const [hook] = felixHashes('nat-POSTROUTING*appends*', ['counter jump nat-cali-POSTROUTING']);
    const [fip, out] = felixHashes('nat-cali-POSTROUTING', [
      'counter jump nat-cali-fip-snat',
      'counter jump nat-cali-nat-outgoing',
    ]);
    const [masq] = felixHashes('nat-cali-nat-outgoing', [MASQ]);
    expect(renderNft6Ruleset(v6()).split('\n')).toEqual([
      'table ip6 calico {',
      '\tset cali60masq-ipam-pools { type ipv6_addr; flags interval; elements = { fd00:10::/48 } }',
      '\tset cali60all-ipam-pools { type ipv6_addr; flags interval; elements = { fd00:10::/48, fd00:20::/48 } }',
      '\tchain nat-POSTROUTING {',
      '\t\ttype nat hook postrouting priority srcnat + 10; policy accept;',
      `\t\tcounter jump nat-cali-POSTROUTING comment "cali:${hook};"`,
      '\t}',
      '\tchain nat-cali-POSTROUTING {',
      `\t\tcounter jump nat-cali-fip-snat comment "cali:${fip};"`,
      `\t\tcounter jump nat-cali-nat-outgoing comment "cali:${out};"`,
      '\t}',
      '\tchain nat-cali-fip-snat {',
      '\t}',
      '\tchain nat-cali-nat-outgoing {',
      `\t\t${MASQ} comment "cali:${masq};"`,
      '\t}',
      '}',
      '',
    ]);
  });

  test('the jumps hash as in `table ip calico`; the MASQUERADE rule, saying ip6, does not', () => {
    const h6 = nft6HashedRules(v6());
    const h4 = nftHashedRules(natTable(pools, felix({})));
    const by = (rules: typeof h4, chain: string) => rules.filter((r) => r.chain === chain);
    for (const chain of ['nat-POSTROUTING', 'nat-cali-POSTROUTING'])
      expect(by(h6, chain).map((r) => r.hash)).toEqual(by(h4, chain).map((r) => r.hash));
    const m6 = by(h6, 'nat-cali-nat-outgoing')[0]!;
    const m4 = by(h4, 'nat-cali-nat-outgoing')[0]!;
    expect(m6.hash).not.toBe(m4.hash);
    expect(m4.text).toMatch(/^ip saddr @cali40masq-ipam-pools ip daddr != @cali40all-ipam-pools /);
  });

  test('natPortRange: nat.go five rules; IPPoolsAndHostIPs: cali60all-hosts-net', () => {
    const t = renderNft6Ruleset(
      v6({ natPortRange: '32768:65535', natOutgoingExclusions: 'IPPoolsAndHostIPs' }),
    );
    const sel =
      'ip6 saddr @cali60masq-ipam-pools ip6 daddr != @cali60all-ipam-pools ip6 daddr != @cali60all-hosts-net';
    const texts = [
      `${sel} meta l4proto tcp counter masquerade to :32768-65535 fully-random`,
      `${sel} meta l4proto tcp counter return`,
      `${sel} meta l4proto udp counter masquerade to :32768-65535 fully-random`,
      `${sel} meta l4proto udp counter return`,
      `${sel} counter masquerade fully-random`,
    ];
    const hashes = felixHashes('nat-cali-nat-outgoing', texts);
    for (const [i, text] of texts.entries())
      expect(t).toContain(`\t\t${text} comment "cali:${hashes[i]};"\n`);
    expect(t).toContain(
      '\tset cali60all-hosts-net { type ipv6_addr; flags interval; elements = { 2001:db8:30::11/128, 2001:db8:30::12/128 } }',
    );
  });

  test('natOutgoing off: the chain is empty; the sets stay (masq_mgr keeps them)', () => {
    const off = [pools[0]!, pool('ula', 'fd00:10::/48', { blockSize: 122 })];
    const t = renderNft6Ruleset({
      ipsets: natIpSets6(off, felix({}), []),
      nat: natTable6(off, felix({})),
    });
    expect(t).toContain('\tchain nat-cali-nat-outgoing {\n\t}');
    expect(t).toContain('\tset cali60masq-ipam-pools { type ipv6_addr; flags interval; }');
    expect(t).not.toContain('masquerade');
  });

  test('the apply parts: prep declares the ip6 table, its sets and the ip6 keeper table', () => {
    const p = renderNft6ApplyParts(v6());
    expect(p.prep.split('\n')).toEqual([
      'add table ip6 calico',
      'flush table ip6 calico',
      'add set ip6 calico cali60masq-ipam-pools { type ipv6_addr; flags interval; }',
      'flush set ip6 calico cali60masq-ipam-pools',
      'add set ip6 calico cali60all-ipam-pools { type ipv6_addr; flags interval; }',
      'flush set ip6 calico cali60all-ipam-pools',
      'add table ip6 egress-lab',
      'flush table ip6 egress-lab',
      '',
    ]);
    expect(p.table).toContain(
      'table ip6 egress-lab {\n\tchain egress-lab-conntrack {\n\t\tct state related,established counter return',
    );
  });

  test.skipIf(spawnSync('nft', ['--version']).status !== 0 || process.getuid?.() !== 0)(
    'nft -c accepts both families in one transaction, as apply.sh sends them',
    () => {
      const c = node1(nftLab());
      const files = new Map(applyInputFiles(c).map((f) => [f.name, f.content]));
      expect([...files.keys()]).toEqual(
        expect.arrayContaining(['nft.prep', 'nft.rules', 'nft6.prep', 'nft6.rules']),
      );
      expect([...files.keys()]).not.toContain('nat6.head');
      expect([...files.keys()]).not.toContain('ipset.stage');
      const all = ['nft.prep', 'nft.rules', 'nft6.prep', 'nft6.rules'].map((f) => files.get(f));
      const r = spawnSync('nft', ['-c', '-f', '-'], { input: all.join(''), encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const port = renderNftApply(
        v6({ natPortRange: '32768:65535', natOutgoingExclusions: 'IPPoolsAndHostIPs' }),
        6,
      );
      const r2 = spawnSync('nft', ['-c', '-f', '-'], { input: port, encoding: 'utf8' });
      expect(r2.status, r2.stderr).toBe(0);
    },
  );
});

describe('a dual-stack node in nftables mode', () => {
  test('the rendered node: both tables in the nft text, no ip6tables, no ipsets', () => {
    const lab = nftLab();
    const r = renderContainer(node1(lab));
    expect(r.nftRuleset).toMatch(/^table ip calico \{[^]*\ntable ip6 calico \{/);
    expect(r.nftRuleset).toContain(MASQ);
    expect(r.ip6tablesNat).toBeUndefined();
    expect(r.ipsetRestore).toBeUndefined();
    const text = renderNodeRules(node1(lab), 'nft', true);
    expect(text).toContain('nft -f (tables ip calico and ip6 calico)');
    expect(text).toContain('table ip6 calico {');
    // The load no longer says IPv6 goes through ip6tables.
    expect((lab.warnings ?? []).map((w) => w.message).join('\n')).not.toMatch(/ip6tables/);
  });

  test('a toggle on the IPv6 pool: the rule diff shows `ip6 calico` lines and set change', () => {
    const lab = nftLab();
    const before = node1(lab).dataplane!;
    const after = node1(patchedLab(lab, 'ula-pool', { spec: { natOutgoing: false } })).dataplane!;
    const d = diffDataplane(before, after);
    expect(d.removed).toEqual(
      nft6RuleLines(felixIpv6(before)!).filter((l) => l.includes('masquerade')),
    );
    expect(d.removed[0]).toMatch(
      /^add rule ip6 calico nat-cali-nat-outgoing ip6 saddr @cali60masq-ipam-pools .* comment "cali:[\w-]{16};"$/,
    );
    expect(d.added).toEqual([]);
    expect(d.ipsetChanges).toEqual([
      { set: 'ip6 calico @cali60masq-ipam-pools', removed: ['fd00:10::/48'], added: [] },
    ]);
  });

  test('explain over IPv6 names the ip6 table rule and its nft hash', () => {
    const lab = nftLab();
    const plan = planLab(lab);
    const e = explain(plan, 'web-1', 'internet', { ipVersion: 6 });
    const masq = nft6HashedRules(felixIpv6(node1(lab).dataplane!)!).find((r) =>
      r.text.includes('masquerade'),
    )!;
    expect(e.nat).toMatchObject({ action: 'masquerade', rule: { hash: masq.hash } });
    expect(e.nat.action !== 'none' && e.nat.rule.text).toBe(masq.text);
    expect(e.steps.join('\n')).toContain('table ip6 calico nat-cali-nat-outgoing rule 1');
    expect(e.seenAs).toBe('node');
  });
});
