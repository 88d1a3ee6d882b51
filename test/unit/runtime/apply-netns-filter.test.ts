// apply.sh with network policy, for real in a network namespace: the filter table goes in the
// same iptables-restore as the nat table; our FORWARD hooks stay single however often it is
// applied; chains of policies that are gone are deleted; with every policy gone, nothing of ours
// stays in the filter table; a rule the kernel refuses changes nothing (exit 3).
// Needs root and iproute2/iptables/ipset (else skipped).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { ContainerPlan } from '../../../src/core/plan/types.js';
import { applyInputFiles, type ApplyInputOptions } from '../../../src/runtime/agent/apply-input.js';
import { runApply } from '../helpers/apply-netns.js';
import { netnsAvailable } from '../helpers/netns.js';

const NS = `egl-applyf-${process.pid}`;
let root = '';

const LAB = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: t}
spec:
  nodes: [{name: node-1}]
  pods: [{name: a-1, node: node-1, labels: {app: a}}]
`;
const policy = (name: string) => `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: ${name}}
spec:
  selector: app == 'a'
  egress: [{action: Allow, destination: {selector: role == 'partner'}}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners, labels: {role: partner}}
spec: {nets: [198.51.100.0/24]}
`;
function node(extra: string): ContainerPlan {
  return planLab(loadLab([{ file: 'lab.yaml', text: LAB + extra }])).containers.find(
    (c) => c.name === 'node-1',
  )!;
}

function inNs(cmd: string[]): string {
  return execFileSync('ip', ['netns', 'exec', NS, ...cmd], { encoding: 'utf8' });
}
function applyOk(c: ContainerPlan, opts: ApplyInputOptions = {}): void {
  const r = runApply(NS, root, applyInputFiles(c, { skipRoutes: true, ...opts }));
  expect(r, r.stderr).toMatchObject({ status: 0, stdout: 'applied\n' });
}
const filterSave = (): string[] =>
  inNs(['iptables-save', '-t', 'filter'])
    .split('\n')
    .filter((l) => /^[:-]/.test(l));
const ourChains = () =>
  filterSave()
    .filter((l) => l.startsWith(':cali-'))
    .map((l) => l.slice(1).split(' ')[0]!)
    .sort();
const forwardHooks = () => filterSave().filter((l) => /^-A FORWARD .*cali:/.test(l));

describe.skipIf(!netnsAvailable(NS))('apply.sh: the filter table of network policy', () => {
  beforeEach(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    root = mkdtempSync(join(tmpdir(), 'egl-applyf-'));
  });
  afterEach(() => {
    execFileSync('ip', ['netns', 'del', NS]);
    rmSync(root, { recursive: true, force: true });
  });

  test('applied fresh, then again and again: the plan\u2019s chains, one copy of each hook', () => {
    const c = node(policy('allow-partners'));
    const want = c.dataplane!.filter!.chains.map((ch) => ch.name).sort();
    applyOk(c, { full: true, fresh: true });
    expect(ourChains()).toEqual(want);
    applyOk(c);
    applyOk(c, { full: true });
    expect(ourChains()).toEqual(want);
    expect(forwardHooks().map((l) => l.match(/cali:[\w-]+/)![0])).toEqual([
      'cali:wUHhoiAYhphO9Mso',
      'cali:S93hcgKJrXEqnTfs',
      'cali:mp77cMpurHhyjLrM',
    ]);
    // The selector's set holds the network set's range.
    const set = c.dataplane!.ipsets.find((s) => s.name.startsWith('cali40s:'))!;
    expect(inNs(['ipset', 'list', set.name])).toContain('198.51.100.0/24');
  });

  test('a renamed policy: the old chain goes; every policy gone: nothing of ours stays', () => {
    applyOk(node(policy('first')), { fresh: true });
    expect(ourChains()).toContain('cali-po-default/first');
    applyOk(node(policy('second')));
    expect(ourChains()).toContain('cali-po-default/second');
    expect(ourChains()).not.toContain('cali-po-default/first');
    applyOk(node(''));
    expect(ourChains()).toEqual([]);
    expect(forwardHooks()).toEqual([]);
    expect(inNs(['ipset', 'list', '-n'])).not.toContain('cali40s:');
  });

  test('a rule the kernel refuses: exit 3, nat and filter tables as they were', () => {
    const c = node(policy('allow-partners'));
    applyOk(c, { fresh: true });
    const save = () =>
      inNs(['iptables-save'])
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n')
        .replace(/\[\d+:\d+\]/g, '');
    const before = save();
    const bad: ContainerPlan = structuredClone(c);
    bad.dataplane!.filter!.chains[0]!.rules.push({
      match: [],
      action: { kind: 'jump', target: 'no-such-chain' },
    });
    const r = runApply(NS, root, applyInputFiles(bad, { skipRoutes: true }));
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^rejected: iptables/);
    expect(save()).toBe(before);
  });
});
