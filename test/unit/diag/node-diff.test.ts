// `diff`: a customer-shaped dump of node-1 (Docker and kube-proxy rules next to Calico's, a
// tunnel rule the lab does not model, policy sets) against the outgoing-nat template. Each
// kind of finding is provoked by one edit of the dump.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { hashedRules } from '../../../src/core/dataplane/render-nat.js';
import { diffNode } from '../../../src/core/diag/node-diff.js';
import type { DiffFinding, FindingKind } from '../../../src/core/diag/types.js';
import { LabInputError } from '../../../src/core/errors.js';
import { loadLab } from '../../../src/core/lab-file/load.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const here = (f: string): string => join(import.meta.dirname, 'fixtures', f);
const read = (f: string): string => readFileSync(here(f), 'utf8');
const TEMPLATE = readFileSync(
  join(import.meta.dirname, '../../../lab-templates/outgoing-nat.yaml'),
  'utf8',
);
const IPT = read('node-1.iptables-save');
const SETS = read('node-1.ipset-list');
const ROUTES = read('node-1.ip-route');

function plan(text = TEMPLATE) {
  return planLab(loadLab([{ file: 'lab.yaml', text }]));
}

function diff(
  files: { iptables?: string; ipset?: string; routes?: string },
  node = 'node-1',
  labText?: string,
) {
  const dumps = [];
  if (files.iptables !== undefined) dumps.push({ file: 'iptables.txt', text: files.iptables });
  if (files.ipset !== undefined) dumps.push({ file: 'ipset.txt', text: files.ipset });
  if (files.routes !== undefined) dumps.push({ file: 'routes.txt', text: files.routes });
  return diffNode(plan(labText), node, dumps);
}

const of = (fs: DiffFinding[], kind: FindingKind): DiffFinding[] =>
  fs.filter((f) => f.kind === kind);

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof LabInputError)
      return e.problems.map(
        (p) =>
          `${p.position ? `${p.position.file}:${p.position.line}:${p.position.col}: ` : ''}${p.message}`,
      );
    throw e;
  }
  throw new Error('expected a LabInputError');
}

describe('diff of a node dump against the lab', () => {
  test('the node as Calico programs it: every rule, member and route matches; no error', () => {
    const r = diff({ iptables: IPT, ipset: SETS, routes: ROUTES });
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    // POSTROUTING hook + 2 jumps + MASQUERADE; 2 sets of 1 member; default, pod, blackhole, learned.
    expect(r.matched).toEqual({ rules: 4, members: 2, routes: 4 });
    expect(r.inputs.map((i) => i.kind)).toEqual(['iptables-save', 'ipset', 'routes']);
    const info = of(r.findings, 'not-compared').map((f) => f.message);
    expect(info.join('\n')).toMatch(/table mangle.*nat chain cali-OUTPUT.*cali-PREROUTING/s);
    expect(info.join('\n')).toContain('cali40this-host');
    const tunnel = of(r.findings, 'extra-rule');
    expect(tunnel).toHaveLength(1);
    expect(tunnel[0]).toMatchObject({ severity: 'info', position: { line: 44 } });
    expect(tunnel[0]!.message).toContain('out of tunl0');
  });

  test("missing rule: cali-nat-outgoing's MASQUERADE gone, said as the pool's outgoing NAT", () => {
    const text = IPT.split('\n')
      .filter((l) => !l.includes('cali:flqWnvo8yq4ULQLa'))
      .join('\n');
    const [m, ...rest] = of(diff({ iptables: text }).findings, 'missing-rule');
    expect(rest).toEqual([]);
    expect(m).toMatchObject({
      chain: 'cali-nat-outgoing',
      hash: 'flqWnvo8yq4ULQLa',
      severity: 'error',
    });
    expect(m!.message).toContain('IPPool default-ipv4-ippool (192.168.0.0/16, natOutgoing: true)');
    expect(m!.message).toContain('pods of those pools leave with their own addresses');
  });

  test('missing hook: POSTROUTING does not jump to cali-POSTROUTING', () => {
    const text = IPT.replace(/^-A POSTROUTING .*cali:0i8pjzKKPyA34aQD.*\n/m, '');
    const [m] = of(diff({ iptables: text }).findings, 'missing-rule');
    expect(m!.message).toContain("Felix's hook from POSTROUTING into cali-POSTROUTING");
    expect(m!.message).toContain("none of Calico's outgoing NAT runs");
  });

  test('changed rule: MASQUERADE without --random-fully under another hash, both texts given', () => {
    const text = IPT.replace(
      '"cali:flqWnvo8yq4ULQLa" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully',
      '"cali:AAAAAAAAAAAAAAAA" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE',
    );
    const [c] = of(diff({ iptables: text }).findings, 'changed-rule');
    expect(c).toMatchObject({
      severity: 'error',
      chain: 'cali-nat-outgoing',
      position: { line: 46 },
    });
    expect(c!.expected).toContain('-j MASQUERADE --random-fully');
    expect(c!.found).not.toContain('--random-fully');
    expect(c!.message).toContain('Felix would program cali:flqWnvo8yq4ULQLa here');
  });

  test('extra rule: a cali: rule no resource of the lab gives, and a hand-made one in a cali chain', () => {
    const text = IPT.replace(
      /^(-A cali-nat-outgoing .*)$/m,
      '$1\n-A cali-nat-outgoing -m comment --comment "cali:ZZZZZZZZZZZZZZZZ" -s 10.0.0.0/8 -j MASQUERADE\n-A cali-nat-outgoing -s 10.1.0.0/16 -j RETURN',
    );
    const extra = of(diff({ iptables: text }).findings, 'extra-rule');
    const byHash = extra.find((f) => f.hash === 'ZZZZZZZZZZZZZZZZ');
    expect(byHash).toMatchObject({ severity: 'error', position: { line: 47 } });
    expect(byHash!.message).toContain('is no rule the lab');
    const manual = extra.find((f) => f.found?.includes('10.1.0.0/16'));
    expect(manual!.message).toContain("without Felix's cali: comment");
  });

  test("foreign rules before Calico's hook: kube-proxy, and Docker's MASQUERADE over the pool", () => {
    const plain = of(diff({ iptables: IPT }).findings, 'foreign-before');
    expect(plain.map((f) => [f.position?.line, f.severity])).toEqual([
      [33, 'warning'], // kube-proxy's KUBE-POSTROUTING: no source limit
      [34, 'info'], // Docker's 172.17.0.0/16: no pool there
    ]);
    expect(plain[0]!.message).toMatch(
      /^kube-proxy's rule runs before Calico's hook in POSTROUTING/,
    );
    expect(plain[1]!.message).toContain('in no IPPool');
    // docker's default-address-pools over Calico's default pool (a classic clash).
    const clash = IPT.replace('-s 172.17.0.0/16 ! -o docker0', '-s 192.168.0.0/20 ! -o docker0');
    const d = of(diff({ iptables: clash }).findings, 'foreign-before')[1]!;
    expect(d.severity).toBe('warning');
    expect(d.message).toContain("Docker's rule runs before Calico's hook in POSTROUTING");
    expect(d.message).toContain('MASQUERADEs the packets it matches before Calico');
    expect(d.message).toContain('overlaps an IPPool');
  });

  test('ipsets: a pool missing from cali40all-ipam-pools, a stale member of cali40masq-ipam-pools', () => {
    const text = SETS.replace(
      'Members:\n192.168.0.0/16\n',
      'Members:\n192.168.0.0/16\n10.244.0.0/16\n',
    ).replace(/(cali40all-ipam-pools[\s\S]*?Members:\n)192\.168\.0\.0\/16\n/, '$1');
    const r = diff({ ipset: text });
    const [missing] = of(r.findings, 'missing-member');
    expect(missing!.message).toBe(
      "pool default-ipv4-ippool's CIDR 192.168.0.0/16 is missing from cali40all-ipam-pools: traffic to it will be NATed",
    );
    const [stale] = of(r.findings, 'stale-member');
    expect(stale).toMatchObject({ set: 'cali40masq-ipam-pools', position: { line: 10 } });
    expect(stale!.message).toContain('no IPPool has that CIDR (stale)');
    const gone = diff({ ipset: SETS.replace(/Name: cali40masq-ipam-pools[\s\S]*?\n\n/, '') });
    expect(of(gone.findings, 'missing-set')[0]!.set).toBe('cali40masq-ipam-pools');
  });

  test('routes: a missing learned route, a pod route on the wrong veth, a route the lab does not give', () => {
    const text = ROUTES.replace(/^192\.168\.0\.64\/26 .*\n/m, '')
      .replace('dev cali0761ccbeace', 'dev cali1111111111a')
      .concat('192.168.3.0/26 via 172.30.0.13 dev eth0 proto bird\n');
    const r = diff({ routes: text });
    const [missing] = of(r.findings, 'missing-route');
    expect(missing!.message).toContain(
      "no route 192.168.0.64/26 via 172.30.0.12 proto bird: the route BGP (node-to-node mesh) learns for node-2's block",
    );
    const [changed] = of(r.findings, 'changed-route');
    expect(changed).toMatchObject({ position: { line: 4 } });
    expect(changed!.message).toContain("the CNI plugin's route to pod web-1");
    const [extra] = of(r.findings, 'extra-route');
    expect(extra!.found).toBe('192.168.3.0/26 via 172.30.0.13 dev eth0 proto bird');
  });
});

describe('diff: bad input says where and why, and diffs nothing', () => {
  test('truncated iptables-save: the table has no COMMIT', () => {
    const cut = IPT.split('\n').slice(0, 30).join('\n');
    expect(problemsOf(() => diff({ iptables: cut }))).toEqual([
      'iptables.txt:30:1: truncated: table nat (line 12) has no COMMIT; the file ends here',
    ]);
  });

  test('truncated ipset list, a line that belongs to no dump, an unknown file', () => {
    expect(problemsOf(() => diff({ ipset: 'Name: cali40masq-ipam-pools\n' }))).toEqual([
      'ipset.txt:1:1: truncated: set cali40masq-ipam-pools has no Type: line after its Name:',
    ]);
    expect(
      problemsOf(() =>
        diff({ iptables: IPT.replace('COMMIT\n# Completed', 'COMMIT\nhello\n# Completed') }),
      ),
    ).toEqual([
      'iptables.txt:10:1: "hello" is outside a table: iptables-save starts each with *TABLE',
    ]);
    expect(problemsOf(() => diff({ routes: 'apiVersion: v1\nkind: Node\n' }))[0]).toMatch(
      /^routes\.txt:1:1: not a node dump diff knows/,
    );
  });

  test("ip route from node-2 given as node-1's: named by node-2's blackholed block", () => {
    expect(problemsOf(() => diff({ routes: read('node-2.ip-route') }))).toEqual([
      "routes.txt:5:1: blackhole 192.168.0.64/26 is node-2's block (Calico blackholes a node's own blocks): these routes are node-2's, not node-1's; diff them with --node node-2",
    ]);
    expect(diff({ routes: read('node-2.ip-route') }, 'node-2').matched.routes).toBe(4);
  });

  test('iptables-save from node-2, whose FelixConfiguration node.node-2 SNATs to another address', () => {
    const lab = `${TEMPLATE}---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata:\n  name: node.node-2\nspec:\n  natOutgoingAddress: 172.30.0.99\n`;
    const p = planLab(loadLab([{ file: 'lab.yaml', text: lab }]));
    const n2 = p.containers.find((c) => c.name === 'node-2')!.dataplane!;
    // node-2's cali-nat-outgoing as Felix would write it there, from the lab's own rule data.
    const hash = n2.nat.chains.find((c) => c.name === 'cali-nat-outgoing')!;
    expect(hash.rules[0]!.action).toMatchObject({ kind: 'snat', toSource: '172.30.0.99' });
    const h = hashedRules(n2.nat).find((r) => r.chain === 'cali-nat-outgoing')!.hash;
    const text = IPT.replace(
      '"cali:flqWnvo8yq4ULQLa" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully',
      `"cali:${h}" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j SNAT --to-source 172.30.0.99 --random-fully`,
    );
    expect(problemsOf(() => diff({ iptables: text }, 'node-1', lab))).toEqual([
      `iptables.txt:46:1: these rules are what Felix programs on node-2, not on node-1 (its FelixConfiguration node.node-2 differs): diff this file with --node node-2, or give node-1's iptables-save`,
    ]);
  });

  test('iptables-save and ipset list of Calico v3.32.1 against a v3.30 lab', () => {
    const text = IPT.replace(
      '"cali:flqWnvo8yq4ULQLa" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst',
      '"cali:W_qq_N2KSTWyCvrX" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40network-ip-pools dst',
    );
    expect(problemsOf(() => diff({ iptables: text }))).toEqual([
      "iptables.txt:46:1: these rules are what Calico v3.31.6 and later programs (set cali40network-ip-pools), the lab models v3.30 (set cali40all-ipam-pools): set spec.calicoVersion to the cluster's version",
    ]);
    expect(
      problemsOf(() =>
        diff({ ipset: SETS.replace('cali40all-ipam-pools', 'cali40network-ip-pools') }),
      )[0],
    ).toMatch(
      /^ipset\.txt:11:1: set cali40network-ip-pools is what Calico v3\.31\.6, v3\.32\.1 and later program/,
    );
    // The same file against a lab of that version: nothing wrong.
    const v332 = TEMPLATE.replace('calicoVersion: v3.30', 'calicoVersion: v3.32.1');
    const r = diff({ iptables: text }, 'node-1', v332);
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});
