// apply.sh's partial rewrite (Felix's table.go, kube-proxy's partial sync): a live apply
// restores only the chains that changed since the last apply. Checked for real in network
// namespaces: after each live change (a policy added, changed, removed; a Service changed,
// added, removed; every policy gone) the kernel's nat and filter tables are exactly what a
// full apply of the same plan gives in a new namespace, and the transaction held only the
// changed chains; after an apply the kernel refused, the next trusts no record and rewrites
// every chain. Needs root and iproute2/iptables/ipset (else skipped).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { ContainerPlan } from '../../../src/core/plan/types.js';
import { applyInputFiles, type ApplyInputOptions } from '../../../src/runtime/agent/apply-input.js';
import { runApply } from '../helpers/apply-netns.js';
import { netnsAvailable } from '../helpers/netns.js';

const NS = `egl-part-${process.pid}`;
const REF = `egl-partref-${process.pid}`;
let root = '';

interface Shape {
  policies: Record<string, string>; // name -> destination net
  services: Record<string, number>; // name -> targetPort
}

function labText(s: Shape): string {
  const svc = Object.entries(s.services).map(
    ([name, port]) =>
      `    - {metadata: {name: ${name}}, spec: {selector: {app: a}, ports: [{port: 80, targetPort: ${port}}]}}`,
  );
  const docs = [
    `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: t}
spec:
  nodes: [{name: node-1}]
  pods:
    - {name: a-1, node: node-1, labels: {app: a}, tcpPorts: [8080, 8081, 8082, 9090]}
    - {name: a-2, node: node-1, labels: {app: a}, tcpPorts: [8080, 8081, 8082, 9090]}
  kubeProxy: {clusterCIDR: 192.168.0.0/16}
${svc.length ? `  services:\n${svc.join('\n')}\n` : ''}`,
  ];
  for (const [name, net] of Object.entries(s.policies))
    docs.push(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: ${name}}
spec:
  selector: app == 'a'
  types: [Egress]
  egress: [{action: Allow, protocol: TCP, destination: {nets: [${net}], ports: [443]}}]
`);
  return docs.join('---\n');
}

/** Every filter chain a full apply declares: Felix's and kube-proxy's (plan/kube-proxy-filter.ts). */
function allFilterChains(c: ContainerPlan): string[] {
  const dp = c.dataplane!;
  return [
    ...dp.filter!.chains.map((x) => x.name),
    ...(dp.nat.kubeProxy?.filter?.chains ?? []),
  ].sort();
}

function node(s: Shape): ContainerPlan {
  return planLab(loadLab([{ file: 'lab.yaml', text: labText(s) }])).containers.find(
    (c) => c.name === 'node-1',
  )!;
}

function inNs(ns: string, cmd: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8' });
}
function applyOk(ns: string, dir: string, c: ContainerPlan, opts: ApplyInputOptions = {}): void {
  const r = runApply(ns, dir, applyInputFiles(c, { skipRoutes: true, ...opts }));
  expect(r, r.stderr).toMatchObject({ status: 0, stdout: 'applied\n' });
}

/**
 * A table as the kernel has it: the chains and each chain's rules in order. iptables-save
 * lists user chains in the order they were made, which differs between a fresh apply and
 * one that added a chain later; the rules' order within a chain is what counts.
 */
function table(ns: string, name: 'nat' | 'filter'): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const l of inNs(ns, ['iptables-save', '-t', name]).split('\n')) {
    if (l.startsWith(':')) out[l.slice(1).split(' ')[0]!] ??= [];
    else if (l.startsWith('-A ')) (out[l.split(' ')[1]!] ??= []).push(l);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** The tables a full, fresh apply of the same plan gives in a new namespace. */
function fullApplyTables(c: ContainerPlan) {
  execFileSync('ip', ['netns', 'add', REF]);
  const dir = mkdtempSync(join(tmpdir(), 'egl-partref-'));
  try {
    applyOk(REF, dir, c, { full: true, fresh: true });
    return { nat: table(REF, 'nat'), filter: table(REF, 'filter') };
  } finally {
    execFileSync('ip', ['netns', 'del', REF]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Chains the last transaction declared (created or flushed), per table. */
function declared(): { nat: string[]; filter: string[] } {
  const text = readFileSync(join(root, 'run/egress-lab/in/nat.full'), 'utf8');
  const out = { nat: [] as string[], filter: [] as string[] };
  let t: 'nat' | 'filter' = 'nat';
  for (const l of text.split('\n')) {
    if (l === '*filter') t = 'filter';
    else if (l.startsWith(':')) out[t].push(l.slice(1).split(' ')[0]!);
  }
  return out;
}

function liveApplyMatchesFull(s: Shape): void {
  const c = node(s);
  applyOk(NS, root, c);
  expect({ nat: table(NS, 'nat'), filter: table(NS, 'filter') }).toEqual(fullApplyTables(c));
}

describe.skipIf(!netnsAvailable(NS))('apply.sh: only changed chains, the same kernel', () => {
  beforeEach(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    root = mkdtempSync(join(tmpdir(), 'egl-part-'));
  });
  afterEach(() => {
    execFileSync('ip', ['netns', 'del', NS]);
    rmSync(root, { recursive: true, force: true });
  });

  test('policies and Services changed live: the kernel equals a full apply each time', () => {
    const s: Shape = {
      policies: { 'p-1': '198.51.100.0/24', 'p-2': '203.0.113.0/24' },
      services: { 'svc-1': 8080, 'svc-2': 8081 },
    };
    applyOk(NS, root, node(s), { full: true, fresh: true });

    // Unchanged: nothing but the table lines.
    applyOk(NS, root, node(s));
    expect(declared()).toEqual({ nat: [], filter: [] });

    // A policy added: its chain, and the dispatch chains that jump to it; no Service chain.
    s.policies['p-3'] = '192.0.2.0/24';
    liveApplyMatchesFull(s);
    expect(declared().filter).toContain('cali-po-default/p-3');
    expect(declared().filter).not.toContain('cali-po-default/p-1');
    expect(declared().nat).toEqual([]);

    // A policy changed: only its chain.
    s.policies['p-1'] = '198.51.100.128/25';
    liveApplyMatchesFull(s);
    expect(declared()).toEqual({ nat: [], filter: ['cali-po-default/p-1'] });

    // A policy removed: its chain deleted, the chains that jumped to it rewritten.
    delete s.policies['p-2'];
    liveApplyMatchesFull(s);
    expect(declared().filter).not.toContain('cali-po-default/p-1');

    // A Service's target port changed: its endpoint chains, not the others' nor Felix's.
    s.services['svc-1'] = 9090;
    liveApplyMatchesFull(s);
    const changed = declared();
    expect(changed.filter).toEqual([]);
    expect(changed.nat.length).toBeGreaterThan(0);
    expect(changed.nat.every((ch) => ch.startsWith('KUBE-'))).toBe(true);
    expect(changed.nat).not.toContain('KUBE-SERVICES'); // same cluster IP and port
    expect(changed.nat).not.toContain('KUBE-MARK-MASQ');

    // A Service added and one removed.
    delete s.services['svc-2'];
    s.services['svc-3'] = 8082;
    liveApplyMatchesFull(s);
    expect(declared().nat).toContain('KUBE-SERVICES');

    // Every policy gone, then one back.
    s.policies = {};
    liveApplyMatchesFull(s);
    s.policies['p-4'] = '192.0.2.0/25';
    liveApplyMatchesFull(s);
  });

  test('after an apply the kernel refused, the next one rewrites every chain', () => {
    const s: Shape = { policies: { 'p-1': '198.51.100.0/24' }, services: { 'svc-1': 8080 } };
    applyOk(NS, root, node(s), { full: true, fresh: true });
    const bad = structuredClone(node(s));
    bad.dataplane!.filter!.chains[0]!.rules.push({
      match: [],
      action: { kind: 'jump', target: 'no-such-chain' },
    });
    const r = runApply(NS, root, applyInputFiles(bad, { skipRoutes: true }));
    expect(r.status).toBe(3);
    s.policies['p-2'] = '203.0.113.0/24';
    liveApplyMatchesFull(s);
    expect(declared().filter.sort()).toEqual(allFilterChains(node(s)));
  });

  test('a full apply after live ones rewrites every chain and leaves the same kernel', () => {
    const s: Shape = { policies: { 'p-1': '198.51.100.0/24' }, services: { 'svc-1': 8080 } };
    applyOk(NS, root, node(s), { full: true, fresh: true });
    s.policies['p-2'] = '203.0.113.0/24';
    applyOk(NS, root, node(s));
    const live = { nat: table(NS, 'nat'), filter: table(NS, 'filter') };
    applyOk(NS, root, node(s), { full: true });
    const all = node(s).dataplane!;
    expect(declared().filter.sort()).toEqual(allFilterChains(node(s)));
    expect(all.nat.kubeProxy?.filter?.chains.length).toBeGreaterThan(0);
    expect(declared().nat).toContain('KUBE-SERVICES');
    expect({ nat: table(NS, 'nat'), filter: table(NS, 'filter') }).toEqual(live);
  });

  test("a full apply replaces the lab's tables whole, but rule by rule when another program has rules there", () => {
    const s: Shape = { policies: { 'p-1': '198.51.100.0/24' }, services: { 'svc-1': 8080 } };
    applyOk(NS, root, node(s), { full: true, fresh: true });
    const replaced = () => existsSync(join(root, 'run/egress-lab/in/nat.replaced'));
    expect(replaced()).toBe(true);
    const before = { nat: table(NS, 'nat'), filter: table(NS, 'filter') };
    applyOk(NS, root, node(s), { full: true });
    expect(replaced()).toBe(true);
    expect({ nat: table(NS, 'nat'), filter: table(NS, 'filter') }).toEqual(before);

    // Docker-style rules of another program, in both tables: a full apply leaves them.
    inNs(NS, [
      'iptables',
      '-t',
      'nat',
      '-A',
      'POSTROUTING',
      '-s',
      '172.17.0.0/16',
      '-j',
      'MASQUERADE',
    ]);
    inNs(NS, ['iptables', '-A', 'FORWARD', '-i', 'docker0', '-j', 'ACCEPT']);
    applyOk(NS, root, node(s), { full: true });
    expect(replaced()).toBe(false);
    expect(table(NS, 'nat').POSTROUTING).toContain('-A POSTROUTING -s 172.17.0.0/16 -j MASQUERADE');
    expect(table(NS, 'filter').FORWARD).toContain('-A FORWARD -i docker0 -j ACCEPT');
    const strip = (t: Record<string, string[]>) =>
      Object.fromEntries(
        Object.entries(t).map(([k, v]) => [k, v.filter((l) => !/172\.17\.0\.0|docker0/.test(l))]),
      );
    expect(strip(table(NS, 'nat'))).toEqual(before.nat);
    expect(strip(table(NS, 'filter'))).toEqual(before.filter);
  });
});
