// `diff` of a node whose Felix runs in nftables mode: `nft list ruleset` (a real table ip
// calico from a lab node, plus an iptables-nft `ip nat` table as Docker leaves it) against the
// nftables-dataplane template.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { diffNode } from '../../../src/core/diag/node-diff.js';
import { LabInputError } from '../../../src/core/errors.js';
import { loadLab } from '../../../src/core/lab-file/load.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const CALICO = readFileSync(join(import.meta.dirname, 'fixtures/nft-node-1.ruleset'), 'utf8');
const LAB = readFileSync(
  join(import.meta.dirname, '../../../lab-templates/nftables-dataplane.yaml'),
  'utf8',
);
const DOCKER = `table ip nat {
\tchain POSTROUTING {
\t\ttype nat hook postrouting priority srcnat; policy accept;
\t\tip saddr 192.168.0.0/20 oifname != "docker0" counter packets 0 bytes 0 masquerade
\t}
}
`;

const diff = (text: string) =>
  diffNode(planLab(loadLab([{ file: 'lab.yaml', text: LAB }])), 'node-1', [
    { file: 'ruleset.txt', text },
  ]);

describe('diff of an nftables node', () => {
  test("Felix's table as the lab programs it: every rule and element matches", () => {
    const r = diff(CALICO);
    expect(r.findings).toEqual([]);
    expect(r.matched).toEqual({ rules: 4, members: 2, routes: 0 });
  });

  test("Docker's masquerade in iptables-nft's ip nat runs before Felix's srcnat + 10", () => {
    const [f, ...rest] = diff(`${DOCKER}${CALICO}`).findings;
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ kind: 'foreign-before', severity: 'warning', position: { line: 4 } });
    expect(f!.message).toContain(
      "Docker's rule runs before Calico's hook in the postrouting hook (ip nat POSTROUTING, priority 100 before Felix's 110)",
    );
    expect(f!.message).toContain('overlaps an IPPool');
  });

  test('a changed masquerade and a stale set element, said in Calico terms', () => {
    const text = CALICO.replace(
      'masquerade fully-random comment "cali:JjuWIaIfSLZi41Xk;"',
      'masquerade comment "cali:AAAAAAAAAAAAAAAA;"',
    ).replace(
      /(set cali40masq-ipam-pools[\s\S]*?elements = \{ )192\.168\.0\.0\/16/,
      '$1192.168.0.0/16, 10.244.0.0/16',
    );
    const r = diff(text);
    const changed = r.findings.find((f) => f.kind === 'changed-rule')!;
    expect(changed.message).toContain('outgoing NAT (MASQUERADE)');
    expect(changed.found).toContain('cali:AAAAAAAAAAAAAAAA');
    const stale = r.findings.find((f) => f.kind === 'stale-member')!;
    expect(stale.message).toContain(
      '10.244.0.0/16 is in cali40masq-ipam-pools but no IPPool has that CIDR (stale)',
    );
  });

  test('a truncated ruleset is refused with its last line', () => {
    const cut = CALICO.split('\n').slice(0, 16).join('\n');
    try {
      diff(cut);
      throw new Error('accepted');
    } catch (e) {
      const p = (e as LabInputError).problems[0]!;
      expect(p.position).toEqual({ file: 'ruleset.txt', line: 16, col: 1 });
      expect(p.message).toMatch(/^truncated: 2 block\(s\) still open/);
    }
  });
});
