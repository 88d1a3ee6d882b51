import { describe, expect, it } from 'vitest';
import { applyMergePatch, applyResources, mergePatch } from '../../../src/core/changes/patch.js';
import { validateIPPool } from '../../../src/core/calico/ippool.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import type { IPPool } from '../../../src/core/model/calico.js';
import { fixture, linesOf, problemsOf, whereIs } from '../lab-file/helpers.js';

describe('mergePatch (RFC 7386 appendix A examples)', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, result] of cases) {
    it(`${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => {
      expect(mergePatch(target, patch)).toEqual(result);
    });
  }
});

describe('applyMergePatch (calicoctl patch ippool)', () => {
  const pool = validateIPPool({
    name: 'default-ipv4-ippool',
    spec: { cidr: '192.168.0.0/16', blockSize: 24 },
  }).pool as IPPool;

  it('turns natOutgoing on as in the docs', () => {
    const next = applyMergePatch(pool, { spec: { natOutgoing: true } });
    expect(next.spec).toEqual({ ...pool.spec, natOutgoing: true });
    expect(pool.spec.natOutgoing).toBe(false); // the input is not changed
  });

  it('can disable and re-enable', () => {
    const off = applyMergePatch(pool, { spec: { disabled: true } });
    expect(off.spec.disabled).toBe(true);
    expect(applyMergePatch(off, { spec: { disabled: null } }).spec.disabled).toBe(false);
  });

  it('refuses to change the CIDR or the block size', () => {
    expect(linesOf(() => applyMergePatch(pool, { spec: { cidr: '192.168.0.0/17' } }))).toEqual([
      "IPPool(default-ipv4-ippool) spec.cidr: error with field IPPool.Spec.CIDR = '192.168.0.0/17' (IPPool CIDR cannot be modified)",
    ]);
    expect(linesOf(() => applyMergePatch(pool, { spec: { blockSize: 26 } }))).toEqual([
      "IPPool(default-ipv4-ippool) spec.blockSize: error with field IPPool.Spec.BlockSize = '26' (IPPool BlockSize cannot be modified)",
    ]);
    // Deleting blockSize brings back the default (26), which is also a change.
    expect(linesOf(() => applyMergePatch(pool, { spec: { blockSize: null } }))[0]).toContain(
      'IPPool BlockSize cannot be modified',
    );
  });

  it('rejects unknown fields, wrong types and renames', () => {
    expect(linesOf(() => applyMergePatch(pool, { spec: { natOutgoin: true } }))).toEqual([
      'IPPool(default-ipv4-ippool) spec.natOutgoin: unknown field "natOutgoin" (did you mean "natOutgoing"?)',
    ]);
    expect(linesOf(() => applyMergePatch(pool, { spec: { natOutgoing: 'yes' } }))).toEqual([
      'IPPool(default-ipv4-ippool) spec.natOutgoing: expected a boolean (true or false), got string "yes" (YAML 1.2: write true or false, unquoted)',
    ]);
    expect(linesOf(() => applyMergePatch(pool, { metadata: { name: 'other' } }))[0]).toContain(
      'cannot rename',
    );
    expect(linesOf(() => applyMergePatch(pool, 'natOutgoing=true'))[0]).toContain(
      'must be a JSON object',
    );
  });

  it('validates the result like an update', () => {
    expect(linesOf(() => applyMergePatch(pool, { spec: { ipipMode: 'always' } }))[0]).toContain(
      'because of Tag: ipIpMode',
    );
  });
});

describe('applyResources (calicoctl apply)', () => {
  const lab = loadLab([fixture('outgoing-nat.yaml')]);
  const src = (text: string) => [{ file: 'apply.yaml', text }];
  const pool = (name: string, spec: string) =>
    `apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: ${name}}\nspec: ${spec}\n`;

  it('creates a new pool and replaces an existing one by name', () => {
    const next = applyResources(
      lab,
      src(
        `${pool('extra', '{cidr: 10.250.0.0/24}')}---\n${pool('default-ipv4-ippool', '{cidr: 192.168.0.0/16, natOutgoing: false}')}`,
      ),
    );
    expect(next.ipPools.map((p) => [p.name, p.spec.natOutgoing])).toEqual([
      ['default-ipv4-ippool', false],
      ['other-pool', false],
      ['extra', false],
    ]);
    expect(lab.ipPools[0]!.spec.natOutgoing).toBe(true); // the lab given is untouched
  });

  it('checks a new pool for overlap with the existing ones, with calicoctl message', () => {
    const text = pool('extra', '{cidr: 10.244.1.0/24}');
    const { line, col } = whereIs(text, '10.244.1.0/24');
    expect(linesOf(() => applyResources(lab, src(text)))).toEqual([
      `apply.yaml:${line}:${col}: IPPool(extra) spec.cidr: error with field IPPool.Spec.CIDR = '10.244.1.0/24' (IPPool(extra) CIDR overlaps with IPPool(other-pool) CIDR 10.244.0.0/16)`,
    ]);
  });

  it('applies the update rules to an existing pool', () => {
    expect(
      linesOf(() => applyResources(lab, src(pool('other-pool', '{cidr: 10.244.0.0/15}'))))[0],
    ).toContain('IPPool CIDR cannot be modified');
  });

  it('checks the whole lab after the change', () => {
    // db-1 asks for other-pool by annotation: disabling that pool leaves it without an address.
    const [p] = problemsOf(() =>
      applyResources(lab, src(pool('other-pool', '{cidr: 10.244.0.0/16, disabled: true}'))),
    );
    expect(p!.message).toBe(
      'pod db-1: the given pool (10.244.0.0/16) does not exist, or is not enabled',
    );
    expect(
      linesOf(() => applyResources(lab, src(pool('wide', '{cidr: 172.30.0.0/16}'))))[0],
    ).toContain('overlaps the lab fabric 172.30.0.0/24');
  });

  it('replaces the default FelixConfiguration and adds peers', () => {
    const next = applyResources(
      lab,
      src(`apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {natOutgoingAddress: 172.30.0.11}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: node-peer}
spec: {peerIP: 172.30.0.2, asNumber: 64512, node: node-1}
`),
    );
    expect(next.felixConfiguration.spec).toEqual({ natOutgoingAddress: '172.30.0.11' });
    expect(next.bgpPeers.map((p) => p.name)).toEqual(['tor', 'node-peer']);
  });

  it('refuses a Lab document and bad YAML', () => {
    expect(
      linesOf(() =>
        applyResources(lab, src('apiVersion: egress-lab/v1\nkind: Lab\nmetadata: {name: x}\n')),
      ),
    ).toEqual(['apply.yaml:1:1: Lab(x) apply takes Calico resources, not a Lab document']);
    expect(linesOf(() => applyResources(lab, src('kind: IPPool\n  bad: [')))[0]).toMatch(
      /^apply\.yaml:\d+:\d+: YAML: /,
    );
  });
});

describe('applyResources: eBPF, nftables and what the lab does not model', () => {
  const felixDoc = (spec: string, name = 'default') =>
    `apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: ${name}}\nspec: {${spec}}\n`;

  it('refuses bpfEnabled true and a wrongly cased nftablesMode, positioned; nothing applied', () => {
    const current = loadLab([fixture('outgoing-nat.yaml')]);
    const snapshot = structuredClone(current);
    for (const [spec, field, words] of [
      ['bpfEnabled: true', 'bpfEnabled', 'bpfEnabled: true is refused'],
      ['nftablesMode: disabled', 'nftablesMode', 'Unsupported value: "disabled"'],
    ] as const) {
      const text = felixDoc(spec);
      const [p, ...rest] = problemsOf(() => applyResources(current, [{ file: 'f.yaml', text }]));
      expect(rest).toEqual([]);
      expect(p!.field).toBe(`spec.${field}`);
      expect(p!.message).toContain(words);
      expect(p!.position).toMatchObject(whereIs(text, spec.split(': ')[1]!));
    }
    expect(current).toEqual(snapshot);
  });

  it('carries the warnings of what it applied, replacing those of the resource it replaces', () => {
    const current = loadLab([fixture('outgoing-nat.yaml')]);
    const once = applyResources(current, [
      { file: 'f.yaml', text: felixDoc('iptablesBackend: NFT, chainInsertMode: Append') },
    ]);
    expect(once.warnings!.map((w) => w.message)).toEqual([
      expect.stringMatching(/^not modelled: spec\.iptablesBackend — /),
      expect.stringMatching(/^not modelled: spec\.chainInsertMode — /),
    ]);
    const again = applyResources(once, [{ file: 'f.yaml', text: felixDoc('natPortRange: "1:2"') }]);
    expect(again.warnings).toBeUndefined();
  });
});
