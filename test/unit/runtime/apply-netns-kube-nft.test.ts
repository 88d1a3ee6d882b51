// kube-proxy's nftables mode applied by the real apply script (src/runtime/agent/apply.sh) in a
// network namespace: the kernel's `nft list table ip kube-proxy` equals the core's rendering
// (normalised: blank lines, element order), beside Calico's table `ip calico` (Felix in
// nftables mode, Auto following kube-proxy) or Calico's iptables rules (Felix Disabled); a
// re-apply changes nothing, a table nft refuses is a rejection that changes nothing, and a plan
// without kube-proxy's nftables mode leaves no table behind.
// Needs root and iproute2/nft/iptables/ipset (else skipped).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  normaliseNftListing,
  renderKubeProxyNftList,
} from '../../../src/core/dataplane/render-kube-proxy-nft.js';
import { loadLab } from '../../../src/core/lab-file/load.js';
import type { Lab } from '../../../src/core/model/lab.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { ContainerPlan } from '../../../src/core/plan/types.js';
import { applyInputFiles, type ApplyInputOptions } from '../../../src/runtime/agent/apply-input.js';
import { runApply } from '../helpers/apply-netns.js';
import { netnsAvailable } from '../helpers/netns.js';

const NS = `egl-kpnft-${process.pid}`;
const FIXTURE = join(__dirname, '../../fixtures/services-nft-lab.yaml');
let root = '';

function inNs(cmd: string[]): string {
  return execFileSync('ip', ['netns', 'exec', NS, ...cmd], { encoding: 'utf8' });
}
const lab = (text = readFileSync(FIXTURE, 'utf8')): Lab => loadLab([{ file: FIXTURE, text }]);
/** Felix pinned to its iptables dataplane (v3.30: nftablesMode Disabled by default). */
const felixIptables = () => lab(readFileSync(FIXTURE, 'utf8').replace('v3.32', 'v3.30'));
const node1 = (l: Lab): ContainerPlan => planLab(l).containers.find((c) => c.name === 'node-1')!;

function apply(c: ContainerPlan, opts: ApplyInputOptions = {}) {
  return runApply(NS, root, applyInputFiles(c, opts));
}
function applyOk(c: ContainerPlan, opts: ApplyInputOptions = {}): void {
  const r = apply(c, opts);
  expect(r, r.stderr).toMatchObject({ status: 0, stdout: 'applied\n' });
}
const tables = (): string[] => inNs(['nft', 'list', 'tables']).split('\n').filter(Boolean).sort();
const listed = (): string[] =>
  normaliseNftListing(inNs(['nft', 'list', 'table', 'ip', 'kube-proxy']));
const rendered = (c: ContainerPlan): string[] =>
  normaliseNftListing(renderKubeProxyNftList(c.dataplane!.kubeProxyNft!));

describe.skipIf(!netnsAvailable(NS))("kube-proxy's nftables table applied by apply.sh", () => {
  beforeEach(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    root = mkdtempSync(join(tmpdir(), 'egl-kpnft-'));
    node1(lab()).interfaces.forEach((i, k) => {
      inNs(['ip', 'link', 'add', i.ifname, 'type', 'veth', 'peer', 'name', `peer${k}`]);
      for (const a of i.addresses) inNs(['ip', 'addr', 'add', a, 'dev', i.ifname]);
      inNs(['ip', 'link', 'set', i.ifname, 'up']);
    });
  });
  afterEach(() => {
    execFileSync('ip', ['netns', 'del', NS]);
    rmSync(root, { recursive: true, force: true });
  });

  test("Felix in nftables mode (Auto follows kube-proxy): both tables, kube-proxy's as rendered", () => {
    const c = node1(lab());
    expect(c.dataplane!.natDataplane).toBe('nftables');
    applyOk(c, { full: true, fresh: true });
    // (`ip egress-lab` is the lab's conntrack keeper beside Felix's nftables table.)
    expect(tables()).toEqual(['table ip calico', 'table ip egress-lab', 'table ip kube-proxy']);
    expect(listed()).toEqual(rendered(c));
    // kube-proxy's nat-postrouting (srcnat, 100) runs before Calico's nat-POSTROUTING (srcnat + 10).
    expect(inNs(['nft', 'list', 'chain', 'ip', 'calico', 'nat-POSTROUTING'])).toContain(
      'priority srcnat + 10',
    );
    applyOk(c);
    applyOk(c, { full: true });
    expect(listed()).toEqual(rendered(c));
  });

  test("Felix in iptables mode: kube-proxy's table beside Calico's iptables rules, no KUBE- chains", () => {
    const c = node1(felixIptables());
    expect(c.dataplane!.natDataplane).toBe('iptables');
    applyOk(c, { full: true, fresh: true });
    expect(tables()).toContain('table ip kube-proxy');
    expect(listed()).toEqual(rendered(c));
    const save = inNs(['iptables-save', '-t', 'nat']);
    expect(save).toContain('cali-POSTROUTING');
    expect(save).not.toMatch(/KUBE-/);
  });

  test('a Service removed: the table follows; kube-proxy gone: the table is deleted', () => {
    const l = lab();
    applyOk(node1(l), { full: true, fresh: true });
    const one: Lab = { ...l, services: l.services!.slice(0, 1) };
    const c1 = node1(one);
    applyOk(c1);
    expect(listed()).toEqual(rendered(c1));
    expect(listed().join('\n')).not.toContain('web-local');
    // Without kube-proxy, Auto resolves to iptables (as Felix without kube-proxy's table).
    const none = node1({ ...l, services: undefined, kubeProxy: undefined });
    expect(none.dataplane!.natDataplane).toBe('iptables');
    applyOk(none);
    expect(tables()).not.toContain('table ip kube-proxy');
    expect(inNs(['iptables-save', '-t', 'nat'])).toContain('cali-POSTROUTING');
  });

  test('a table nft refuses is rejected before anything changes', () => {
    const c = node1(lab());
    applyOk(c, { full: true, fresh: true });
    const before = inNs(['nft', 'list', 'ruleset']);
    const files = applyInputFiles(node1(lab()));
    const bad = files.map((f) =>
      f.name === 'kpnft.rules'
        ? { ...f, content: String(f.content).replace('jump services', 'jump no-such-chain') }
        : f,
    );
    const r = runApply(NS, root, bad);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain('rejected: kube-proxy nftables:');
    expect(inNs(['nft', 'list', 'ruleset'])).toBe(before);
  });
});
