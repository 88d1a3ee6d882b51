// `diff` of a dual-stack node whose Felix runs in nftables mode: `nft list ruleset` (the kernel's
// listing of both `table ip calico` and `table ip6 calico`, as a node of the NAT66 template with
// nftablesMode Enabled holds them) against the lab: the ip6 table's rules by cali: hash and its
// cali60 sets are compared too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { diffNode } from '../../../src/core/diag/node-diff.js';
import { loadLab } from '../../../src/core/lab-file/load.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const RULESET = readFileSync(join(import.meta.dirname, 'fixtures/nft6-node-1.ruleset'), 'utf8');
const TEMPLATE = readFileSync(
  join(import.meta.dirname, '../../../lab-templates/nat66-toggle.yaml'),
  'utf8',
);
const felix = (spec: string) =>
  `---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata:\n  name: default\nspec:\n  nftablesMode: Enabled\n${spec}`;
const diff = (text: string, spec = '') =>
  diffNode(planLab(loadLab([{ file: 'lab.yaml', text: `${TEMPLATE}${felix(spec)}` }])), 'node-1', [
    { file: 'ruleset.txt', text },
  ]);

describe('diff of a dual-stack nftables node', () => {
  test('both tables as the lab programs them: every rule and element matches', () => {
    const r = diff(RULESET);
    expect(r.findings).toEqual([]);
    expect(r.matched).toEqual({ rules: 8, members: 4, routes: 0 });
  });

  test('the ip6 masquerade rule gone and a stale IPv6 element: said for table ip6 calico', () => {
    const text = RULESET.replace(/\n\t\tip6 saddr @cali60masq-ipam-pools .*\n/, '\n').replace(
      'elements = { fd00:10::/48 }\n\t}\n\n\tset cali60all',
      'elements = { fd00:10::/48, fd00:99::/48 }\n\t}\n\n\tset cali60all',
    );
    const r = diff(text);
    expect(r.findings.map((f) => [f.kind, f.chain ?? f.set])).toEqual([
      ['missing-rule', 'nat-cali-nat-outgoing'],
      ['stale-member', 'cali60masq-ipam-pools'],
    ]);
    expect(r.findings[0]!.expected).toMatch(
      /^ip6 saddr @cali60masq-ipam-pools .* masquerade fully-random comment "cali:/,
    );
  });

  test('no ip6 table while the lab runs IPv6: an error; with ipv6Support false: not compared', () => {
    const v4only = RULESET.slice(0, RULESET.indexOf('table ip6 calico'));
    expect(diff(v4only).findings).toMatchObject([{ kind: 'missing-rule', severity: 'error' }]);
    expect(diff(v4only).findings[0]!.message).toContain('no table ip6 calico in this ruleset');
    expect(diff(v4only, '  ipv6Support: false\n').findings).toEqual([]);
    const off = diff(RULESET, '  ipv6Support: false\n').findings;
    expect(off).toMatchObject([{ kind: 'not-compared', severity: 'info' }]);
  });
});
