// kube-proxy's nat rules applied by the real apply script (src/runtime/agent/apply.sh) in a
// network namespace, beside Felix's: the kernel's own iptables-save must list exactly the rules
// the core renders (names, probabilities, marks as the kernel keeps them), kube-proxy's hooks
// after Calico's, and chains of Services that went away deleted in the same transaction.
// Needs root and iproute2/iptables/ipset (else skipped).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { kubeSaveLines } from '../../../src/core/dataplane/kube-proxy-text.js';
import { loadLab } from '../../../src/core/lab-file/load.js';
import type { Lab } from '../../../src/core/model/lab.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { ContainerPlan } from '../../../src/core/plan/types.js';
import { applyInputFiles, type ApplyInputOptions } from '../../../src/runtime/agent/apply-input.js';
import { runApply } from '../helpers/apply-netns.js';
import { netnsAvailable } from '../helpers/netns.js';

const NS = `egl-kube-${process.pid}`;
const FIXTURE = join(__dirname, '../../fixtures/services-lab.yaml');
let root = '';

function inNs(cmd: string[]): string {
  return execFileSync('ip', ['netns', 'exec', NS, ...cmd], { encoding: 'utf8' });
}
const baseLab = (): Lab => loadLab([{ file: FIXTURE, text: readFileSync(FIXTURE, 'utf8') }]);
const node1 = (lab: Lab): ContainerPlan =>
  planLab(lab).containers.find((c) => c.name === 'node-1')!;

function applyOk(c: ContainerPlan, opts: ApplyInputOptions = {}): void {
  const r = runApply(NS, root, applyInputFiles(c, opts));
  expect(r, r.stderr).toMatchObject({ status: 0, stdout: 'applied\n' });
}
const save = (): string[] =>
  inNs(['iptables-save', '-t', 'nat'])
    .split('\n')
    .filter((l) => l.startsWith('-A') || l.startsWith(':'));
const kubeLines = (): string[] => save().filter((l) => /^-A KUBE-/.test(l));
const kubeChains = (): string[] =>
  save()
    .filter((l) => l.startsWith(':KUBE-'))
    .map((l) => l.split(' ')[0]!.slice(1))
    .sort();

describe.skipIf(!netnsAvailable(NS))('kube-proxy rules applied by apply.sh', () => {
  beforeEach(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    root = mkdtempSync(join(tmpdir(), 'egl-kube-'));
    const c = node1(baseLab());
    c.interfaces.forEach((i, k) => {
      inNs(['ip', 'link', 'add', i.ifname, 'type', 'veth', 'peer', 'name', `peer${k}`]);
      for (const a of i.addresses) inNs(['ip', 'addr', 'add', a, 'dev', i.ifname]);
      inNs(['ip', 'link', 'set', i.ifname, 'up']);
    });
  });
  afterEach(() => {
    execFileSync('ip', ['netns', 'del', NS]);
    rmSync(root, { recursive: true, force: true });
  });

  test("the kernel lists exactly kube-proxy's rules as rendered; its hooks follow Calico's", () => {
    const c = node1(baseLab());
    applyOk(c, { full: true, fresh: true });
    const k = kubeSaveLines(c.dataplane!.nat.kubeProxy!);
    // Same rules, each chain in the same order (iptables-save sorts user chains its own way).
    const byChain = (lines: string[]) => {
      const m = new Map<string, string[]>();
      for (const l of lines) {
        const ch = l.split(' ')[1]!;
        m.set(ch, [...(m.get(ch) ?? []), l]);
      }
      return Object.fromEntries([...m.entries()].sort());
    };
    expect(byChain(kubeLines())).toEqual(byChain(k.rules));
    const post = save().filter((l) => l.startsWith('-A POSTROUTING'));
    expect(post).toHaveLength(2);
    expect(post[0]).toContain('cali-POSTROUTING');
    expect(post[1]).toBe(
      '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    );
    const pre = save().filter((l) => l.startsWith('-A PREROUTING'));
    expect(pre).toEqual([
      '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    ]);
    expect(kubeChains()).toEqual([...c.dataplane!.nat.kubeProxy!.chains].sort());
  });

  test('re-applied (toggle and full): one copy of each hook, the same rules', () => {
    const c = node1(baseLab());
    applyOk(c, { full: true, fresh: true });
    const first = save();
    applyOk(c);
    applyOk(c, { full: true });
    expect(save()).toEqual(first);
  });

  test("a Service removed: its chains deleted; all removed: kube-proxy's chains and hooks gone", () => {
    const lab = baseLab();
    applyOk(node1(lab), { full: true, fresh: true });
    const before = kubeChains();
    const one = { ...lab, services: lab.services!.slice(0, 1) };
    const c1 = node1(one);
    applyOk(c1); // a live change
    expect(kubeChains()).toEqual([...c1.dataplane!.nat.kubeProxy!.chains].sort());
    expect(kubeChains().length).toBeLessThan(before.length);
    const none: Lab = { ...lab, services: undefined, kubeProxy: undefined };
    applyOk(node1(none));
    expect(kubeChains()).toEqual([]);
    expect(save().filter((l) => /KUBE-|kubernetes/.test(l))).toEqual([]);
    expect(save().filter((l) => l.startsWith('-A POSTROUTING'))).toHaveLength(1); // Calico's
  });
});
