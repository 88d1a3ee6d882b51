// Changes to a running lab say the IPv6 warnings `validate`/`up` give for the lab they make
// (core/changes/ipv6-warnings.ts over lab-file/checks-ipv6.ts): a patch that makes an IPv6 pool
// NAT while the FelixConfiguration sets natOutgoingAddress warns in its reply, as does an
// apply -f of ipv6Support: false; a warning that no longer holds goes from the lab.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appliedLab, deletedPoolLab, patchedLab } from '../../../src/core/changes/lab-changes.js';
import { formatProblem } from '../../../src/core/errors.js';
import { ipv6Warnings } from '../../../src/core/lab-file/checks-ipv6.js';
import { loadLab, loadSources } from '../../../src/core/lab-file/index.js';
import { SourceIndex } from '../../../src/core/lab-file/source-index.js';
import type { Lab } from '../../../src/core/model/lab.js';
import type { LabSource } from '../../../src/service/api.js';
import { LabService } from '../../../src/service/lab-service.js';
import { FakeRuntime } from '../../support/fake-runtime.js';

const TEMPLATES = join(import.meta.dirname, '../../../lab-templates');
const FILE = 'nat66-toggle.yaml';
// The NAT66 template with the IPv6 pool not NATed and an IPv4 natOutgoingAddress.
const TEXT = `${readFileSync(join(TEMPLATES, FILE), 'utf8').replace(
  'cidr: fd00:10::/48\n  natOutgoing: true',
  'cidr: fd00:10::/48\n  natOutgoing: false',
)}---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata:
  name: default
spec:
  natOutgoingAddress: 172.30.0.50
`;
const SOURCE: LabSource = { file: FILE, text: TEXT };
const IPV4_ONLY = /natOutgoingAddress is IPv4 only .*\(ula-pool\)/;
const texts = (l: Lab): string[] => (l.warnings ?? []).map(formatProblem);
/** What `validate` says for the same lab, written out as a file. */
const validateOf = (l: Lab): string[] =>
  ipv6Warnings(l, new SourceIndex()).map((w) => formatProblem(w));

describe('IPv6 warnings after a change (core)', () => {
  const lab = loadLab([SOURCE]);

  it('the loaded lab has no natOutgoingAddress warning: no IPv6 pool NATs', () => {
    expect(texts(lab).some((t) => IPV4_ONLY.test(t))).toBe(false);
  });

  it('patch natOutgoing on the IPv6 pool: the warning validate gives; patched back: gone', () => {
    const on = patchedLab(lab, 'ula-pool', { spec: { natOutgoing: true } });
    const w = texts(on).filter((t) => IPV4_ONLY.test(t));
    expect(w).toEqual([
      "FelixConfiguration(default) spec.natOutgoingAddress: natOutgoingAddress is IPv4 only (Felix reads it as an IPv4 address): IPv6 pools with natOutgoing (ula-pool) are masqueraded to the node's own IPv6 address",
    ]);
    // The same text as validate of the lab the patch made.
    expect(validateOf(on)).toContain(w[0]);
    const back = patchedLab(on, 'ula-pool', { spec: { natOutgoing: false } });
    expect(texts(back).some((t) => IPV4_ONLY.test(t))).toBe(false);
    // Other warnings are kept as they were.
    expect(texts(back)).toEqual(texts(lab));
  });

  it('a warning that still holds keeps its position in the lab file', () => {
    const natLab = loadLab([
      { file: FILE, text: TEXT.replace('natOutgoing: false', 'natOutgoing: true') },
    ]);
    const before = (natLab.warnings ?? []).find((w) => IPV4_ONLY.test(w.message))!;
    expect(before.position?.file).toBe(FILE);
    const next = patchedLab(natLab, 'default-ipv4-ippool', { spec: { natOutgoing: false } });
    expect((next.warnings ?? []).filter((w) => IPV4_ONLY.test(w.message))).toEqual([before]);
  });

  it('deleting the IPv6 pool takes the warning away', () => {
    const on = patchedLab(lab, 'ula-pool', { spec: { natOutgoing: true } });
    expect(texts(deletedPoolLab(on, 'ula-pool')).some((t) => IPV4_ONLY.test(t))).toBe(false);
  });

  it('apply -f of a FelixConfiguration with ipv6Support false: positioned in the applied file', () => {
    const applied =
      'apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata:\n  name: default\nspec:\n  ipv6Support: false\n';
    const next = appliedLab(lab, [{ file: 'felix.yaml', text: applied }]);
    const w = (next.warnings ?? []).filter((x) => x.field === 'spec.ipv6Support');
    expect(w).toHaveLength(1);
    expect(formatProblem(w[0]!)).toMatch(
      /^felix\.yaml:6:\d+: FelixConfiguration\(default\) spec\.ipv6Support: ipv6Support is false: Felix on node-1, node-2 programs no IPv6 sets/,
    );
    // The same as `validate` of the lab with that resource in its file.
    const whole = loadSources([
      { file: FILE, text: TEXT.replace('natOutgoingAddress: 172.30.0.50', 'ipv6Support: false') },
    ]);
    expect(whole.problems).toEqual([]);
    expect(whole.warnings.map((x) => x.message)).toContain(w[0]!.message);
  });
});

describe('IPv6 warnings in a change’s reply (service)', () => {
  let runtime: FakeRuntime;
  let service: LabService<FakeRuntime>;
  beforeEach(() => {
    runtime = new FakeRuntime();
    service = new LabService({ runtime, templatesDir: TEMPLATES });
  });
  afterEach(async () => {
    await service.close();
    await runtime.close();
  });

  it('patch ippool: the reply warns; the same patch again does not repeat it', async () => {
    await service.up([SOURCE]);
    const r = await service.patchPool(undefined, 'ula-pool', { spec: { natOutgoing: true } });
    expect(r.warnings.filter((w) => IPV4_ONLY.test(w))).toHaveLength(1);
    const again = await service.patchPool(undefined, 'ula-pool', { spec: { natOutgoing: true } });
    expect(again.warnings.filter((w) => IPV4_ONLY.test(w))).toEqual([]);
    const rec = await service.record('nat66-toggle');
    expect(texts(rec.lab).filter((t) => IPV4_ONLY.test(t))).toHaveLength(1);
  });
});
