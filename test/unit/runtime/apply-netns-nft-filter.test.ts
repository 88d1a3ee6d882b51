// apply.sh with network policy in nftables mode, for real in a network namespace: the filter
// layer (render-nft-filter.ts) goes into table `ip calico` in the same `nft -f` as the NAT
// layer; the kernel's listing has the plan's chains, maps and hashes; a pod gone leaves no
// chain or map element; every policy gone leaves nothing of the layer; switching from
// iptables mode leaves no iptables filter chain. Needs root, iproute2, iptables and nft.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { nftFilterLayer } from '../../../src/core/dataplane/render-nft-filter.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { ContainerPlan } from '../../../src/core/plan/types.js';
import { applyInputFiles, type ApplyInputOptions } from '../../../src/runtime/agent/apply-input.js';
import { runApply } from '../helpers/apply-netns.js';
import { netnsAvailable } from '../helpers/netns.js';

const NS = `egl-nftf-${process.pid}`;
let root = '';

function nftInstalled(): boolean {
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const lab = (pods: string, nft = true) => `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: t}
spec:
  nodes: [{name: node-1}]
  pods: [${pods}]
---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {nftablesMode: ${nft ? 'Enabled' : 'Disabled'}}
`;
const PODS2 =
  '{name: a-1, node: node-1, labels: {app: a}}, {name: a-2, node: node-1, labels: {app: a}}';
const PODS1 = '{name: a-1, node: node-1, labels: {app: a}}';
const POLICY = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: allow-partners}
spec:
  selector: app == 'a'
  egress: [{action: Allow, protocol: TCP, destination: {selector: role == 'partner', ports: [80, '8000:8080']}}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners, labels: {role: partner}}
spec: {nets: [198.51.100.0/24]}
`;
function node(text: string): ContainerPlan {
  return planLab(loadLab([{ file: 'lab.yaml', text }])).containers.find(
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
function listed(): string {
  try {
    return inNs(['nft', 'list', 'table', 'ip', 'calico']);
  } catch {
    return '';
  }
}
const filterChains = (s: string) =>
  [...s.matchAll(/^\tchain (filter-[^ ]+) \{/gm)].map((m) => m[1]!).sort();
const maps = (s: string) => [...s.matchAll(/^\tmap ([^ ]+) \{/gm)].map((m) => m[1]!).sort();
const hashes = (s: string) => [...s.matchAll(/cali:([\w-]{16});/g)].map((m) => m[1]!).sort();

describe.skipIf(!netnsAvailable(NS) || !nftInstalled())(
  'apply.sh: network policy in nftables mode',
  () => {
    beforeEach(() => {
      execFileSync('ip', ['netns', 'add', NS]);
      root = mkdtempSync(join(tmpdir(), 'egl-nftf-'));
    });
    afterEach(() => {
      execFileSync('ip', ['netns', 'del', NS]);
      rmSync(root, { recursive: true, force: true });
    });

    test('the kernel holds the plan: chains, dispatch maps, every rule hash; then a pod and the policies go', () => {
      const c = node(lab(PODS2) + POLICY);
      const layer = nftFilterLayer(c.dataplane!.filter!);
      applyOk(c, { full: true, fresh: true });
      let s = listed();
      expect(filterChains(s)).toEqual(
        [...layer.baseChains.map((b) => b.name), ...layer.chains].sort(),
      );
      expect(s).toContain('type filter hook forward priority filter; policy accept;');
      expect(maps(s)).toEqual(['filter-cali-from-wl-dispatch', 'filter-cali-to-wl-dispatch']);
      const natHashes = hashes(s).filter((h) => !layer.rules.some((r) => r.hash === h));
      expect(hashes(s).filter((h) => layer.rules.some((r) => r.hash === h))).toEqual(
        layer.rules.map((r) => r.hash).sort(),
      );
      // The pods' set, the partners' set and the port match as nft has them.
      expect(s).toMatch(/ip daddr @cali40s-[\w-]+ .*tcp dport \{ 80, 8000-8080 \}/);
      expect(inNs(['iptables-save', '-t', 'filter'])).not.toMatch(/cali/);

      // Applied again: the same listing (nothing doubled).
      applyOk(c);
      expect(listed()).toEqual(s);

      // One pod gone: its endpoint chains and map elements go.
      const one = node(lab(PODS1) + POLICY);
      applyOk(one);
      s = listed();
      const l1 = nftFilterLayer(one.dataplane!.filter!);
      expect(filterChains(s)).toEqual([...l1.baseChains.map((b) => b.name), ...l1.chains].sort());
      expect(filterChains(s).length).toBeLessThan(layer.chains.length + layer.baseChains.length);
      expect(s.match(/goto filter-cali-fw-/g)).toHaveLength(1);

      // Every policy gone: nothing of the filter layer stays, the NAT layer does.
      applyOk(node(lab(PODS1)));
      s = listed();
      expect(filterChains(s)).toEqual([]);
      expect(maps(s)).toEqual([]);
      expect(natHashes.length).toBeGreaterThan(0);
      expect(hashes(s)).toEqual(expect.arrayContaining(natHashes));
    });

    test('iptables mode with policy, then nftables mode: no iptables filter chain stays', () => {
      applyOk(node(lab(PODS1, false) + POLICY), { full: true, fresh: true });
      expect(inNs(['iptables-save', '-t', 'filter'])).toMatch(/:cali-FORWARD/);
      applyOk(node(lab(PODS1) + POLICY));
      expect(inNs(['iptables-save', '-t', 'filter'])).not.toMatch(/cali/);
      expect(filterChains(listed())).toContain('filter-cali-FORWARD');
    });
  },
);
