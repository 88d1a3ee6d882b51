// What each template's notes tell an instructor to flip, done offline: the patch commands
// quoted in the notes are applied as written, and explain must then say what the notes
// promise. (The lab suite proves the unflipped state on the wire.)
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { explain } from '../../../src/core/explain/explain.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import type { Lab } from '../../../src/core/model/lab.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { appliedLab, deletedPoolLab, patchedLab } from '../../../src/core/changes/lab-changes.js';

const load = (id: string): Lab => {
  const file = `lab-templates/${id}.yaml`;
  return loadLab([{ file, text: readFileSync(file, 'utf8') }]);
};
/** explain on `next`, with the pods keeping the addresses they had (as a running lab does). */
const after = (before: Lab, next: Lab, from: string, to: string) =>
  explain(planLab(next, { pinnedIpam: planLab(before).ipam }), from, to);
const apply = (lab: Lab, yaml: string) => appliedLab(lab, [{ file: 'apply.yaml', text: yaml }]);

/** Every `egress-lab patch ippool NAME --patch '…'` command quoted in a template's notes. */
function patchCommands(notes: string): { pool: string; patch: unknown }[] {
  return [...notes.matchAll(/egress-lab patch ippool (\S+) --patch '([^']+)'/g)].map((m) => ({
    pool: m[1]!,
    patch: JSON.parse(m[2]!),
  }));
}

describe('patch commands quoted in notes', () => {
  const ids = readdirSync('lab-templates').map((f) => f.replace(/\.yaml$/, ''));
  test.each(ids)('%s: every quoted patch is valid against its lab', (id) => {
    const lab = load(id);
    for (const c of patchCommands(lab.notes))
      expect(() => patchedLab(lab, c.pool, c.patch)).not.toThrow();
  });
});

describe('the flips the notes describe', () => {
  test('outgoing-nat: natOutgoing off, the pod address is seen and replies stop', () => {
    const lab = load('outgoing-nat');
    const e = after(
      lab,
      patchedLab(lab, 'default-ipv4-ippool', { spec: { natOutgoing: false } }),
      'web-1',
      'internet',
    );
    expect([e.seenAs, e.reply]).toEqual(['pod', false]);
  });

  test('external-connectivity-patch: the docs command (from the notes) brings NAT and replies', () => {
    const lab = load('external-connectivity-patch');
    const [cmd] = patchCommands(lab.notes);
    expect(cmd).toEqual({ pool: 'pod-pool', patch: { spec: { natOutgoing: true } } });
    const e = after(lab, patchedLab(lab, cmd!.pool, cmd!.patch), 'app-1', 'internet');
    expect([e.seenSource, e.reply]).toEqual(['172.30.0.11', true]);
  });

  test('nat-only-to-some-ranges: without the disabled pool, corp sees the node', () => {
    const lab = load('nat-only-to-some-ranges');
    const e = after(lab, deletedPoolLab(lab, 'no-nat-10.0.0.0-8'), 'web-1', 'corp');
    expect(e.seenAs).toBe('node');
  });

  test('destination-inside-a-pool: the customer workaround (delete ippool-1) works', () => {
    const lab = load('destination-inside-a-pool');
    const e = after(lab, deletedPoolLab(lab, 'ippool-1'), 'app-1', 'nat-service');
    expect([e.seenAs, e.reply]).toEqual(['node', true]);
  });

  test('no-route-back: a global peer, or natOutgoing, brings app-b its replies', () => {
    const lab = load('no-route-back');
    const peer =
      'apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: rack-a-tor}\nspec: {peerIP: 172.30.0.1, asNumber: 64500}\n';
    expect(after(lab, apply(lab, peer), 'app-b', 'internet').reply).toBe(true);
    const [cmd] = patchCommands(lab.notes);
    const e = after(lab, patchedLab(lab, cmd!.pool, cmd!.patch), 'app-b', 'internet');
    expect([e.seenAs, e.reply]).toEqual(['node', true]);
  });

  test('pods-with-public-addresses: NAT on, then off with disableBGPExport: replies stop', () => {
    const lab = load('pods-with-public-addresses');
    expect(
      after(
        lab,
        patchedLab(lab, 'public-pool', { spec: { natOutgoing: true } }),
        'web-1',
        'internet',
      ).seenAs,
    ).toBe('node');
    const e = after(
      lab,
      patchedLab(lab, 'public-pool', { spec: { disableBGPExport: true } }),
      'web-1',
      'internet',
    );
    expect([e.seenAs, e.reply]).toEqual(['pod', false]);
  });

  test('inbound-over-bgp: disableBGPExport (from the notes) cuts inbound, outbound still NATs', () => {
    const lab = load('inbound-over-bgp');
    const patch = JSON.parse(/'(\{"spec":\{"disableBGPExport": true\}\})'/.exec(lab.notes)![1]!);
    const next = patchedLab(lab, 'default-ipv4-ippool', patch);
    expect(after(lab, next, 'client', 'web-1').reply).toBe(false);
    expect(after(lab, next, 'web-1', 'client').reply).toBe(true);
  });

  test('wrong-source-multi-homed-node: per-node natOutgoingAddress fixes node-2; a default one breaks replies', () => {
    const lab = load('wrong-source-multi-homed-node');
    const fix =
      'apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: node.node-2}\nspec: {natOutgoingAddress: 172.30.0.112}\n';
    const fixed = after(lab, apply(lab, fix), 'web-2', 'internet');
    expect([fixed.seenSource, fixed.reply]).toEqual(['172.30.0.112', true]);
    const pitfall =
      'apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {natOutgoingAddress: 172.30.0.111}\n';
    const e = after(lab, apply(lab, pitfall), 'web-2', 'internet');
    expect([e.seenSource, e.reply]).toEqual(['172.30.0.111', false]);
    expect(e.routeBack.reason).toMatch(/not an address of node-2/);
  });

  test('pod-to-node-exclusions: the field on "default" fixes node-2 too', () => {
    const lab = load('pod-to-node-exclusions');
    const fix =
      'apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {natOutgoingExclusions: IPPoolsAndHostIPs}\n';
    const e = after(lab, apply(lab, fix), 'web-2', '172.30.0.11');
    expect([e.seenAs, e.reply]).toEqual(['pod', true]);
  });

  test('several-pools: only b-1 changes with rack-b-pool; disableBGPExport then cuts its replies', () => {
    const lab = load('several-pools');
    const off = patchedLab(lab, 'rack-b-pool', { spec: { natOutgoing: false } });
    expect(after(lab, off, 'b-1', 'internet').seenAs).toBe('pod');
    expect(after(lab, off, 'b-1', 'internet').reply).toBe(true);
    expect(after(lab, off, 'a-1', 'internet').seenAs).toBe('node');
    const cut = patchedLab(off, 'rack-b-pool', { spec: { disableBGPExport: true } });
    expect(after(lab, cut, 'b-1', 'internet').reply).toBe(false);
  });

  test('conntrack-after-toggle: new flows after the flip are pod-sourced and unanswered', () => {
    const lab = load('conntrack-after-toggle');
    const [cmd] = patchCommands(lab.notes);
    const e = after(lab, patchedLab(lab, cmd!.pool, cmd!.patch), 'web-1', 'internet');
    expect([e.seenAs, e.reply]).toEqual(['pod', false]);
    expect(e.warnings.join(' ')).toMatch(/conntrack/);
  });
});
