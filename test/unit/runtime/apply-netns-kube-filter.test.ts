// kube-proxy's filter table (iptables mode) applied by the real apply script in a network
// namespace: the kernel's iptables-save lists exactly the rules the core renders (KUBE-SERVICES
// and KUBE-EXTERNAL-SERVICES REJECTs for a Service without endpoints, KUBE-FORWARD,
// KUBE-FIREWALL), kube-proxy's jumps in INPUT/FORWARD/OUTPUT in kube-proxy's order, once each
// after re-applies; a plan without Services removes them all.
// Needs root and iproute2/iptables/ipset (else skipped).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { kubeFilterSaveLines } from '../../../src/core/dataplane/kube-proxy-text.js';
import { loadLab } from '../../../src/core/lab-file/load.js';
import type { Lab } from '../../../src/core/model/lab.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { ContainerPlan } from '../../../src/core/plan/types.js';
import { applyInputFiles, type ApplyInputOptions } from '../../../src/runtime/agent/apply-input.js';
import { runApply } from '../helpers/apply-netns.js';
import { netnsAvailable } from '../helpers/netns.js';

const NS = `egl-kfil-${process.pid}`;
const FIXTURE = join(__dirname, '../../fixtures/services-filter-lab.yaml');
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
const filterSave = (): string[] =>
  inNs(['iptables-save', '-t', 'filter'])
    .split('\n')
    .filter((l) => l.startsWith('-A') || l.startsWith(':'));
const kubeRules = () => filterSave().filter((l) => /^-A KUBE-/.test(l));
const kubeHooks = () => filterSave().filter((l) => /^-A (INPUT|FORWARD|OUTPUT) .*-j KUBE-/.test(l));

describe.skipIf(!netnsAvailable(NS))("kube-proxy's filter table applied by apply.sh", () => {
  beforeEach(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    root = mkdtempSync(join(tmpdir(), 'egl-kfil-'));
    node1(baseLab()).interfaces.forEach((i, k) => {
      inNs(['ip', 'link', 'add', i.ifname, 'type', 'veth', 'peer', 'name', `peer${k}`]);
      for (const a of i.addresses) inNs(['ip', 'addr', 'add', a, 'dev', i.ifname]);
      inNs(['ip', 'link', 'set', i.ifname, 'up']);
    });
  });
  afterEach(() => {
    execFileSync('ip', ['netns', 'del', NS]);
    rmSync(root, { recursive: true, force: true });
  });

  test('the kernel lists the rendered rules; a Service without endpoints is REJECTed', () => {
    const c = node1(baseLab());
    applyOk(c, { full: true, fresh: true });
    const want = kubeFilterSaveLines(c.dataplane!.nat.kubeProxy!.filter!);
    expect([...kubeRules()].sort()).toEqual([...want.rules].sort());
    expect(kubeHooks()).toEqual(want.hooks);
    expect(kubeRules()).toContainEqual(
      expect.stringMatching(
        /^-A KUBE-SERVICES -d 10\.96\.0\.3\/32 -p tcp -m comment --comment "default\/web-none has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable$/,
      ),
    );
    expect(kubeRules()).toContainEqual(
      '-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/web-none has no endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 30090 -j REJECT --reject-with icmp-port-unreachable',
    );
    expect(kubeRules()).toContain(
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    );
  });

  test('re-applied (toggle and full): the same table, one copy of each jump', () => {
    const c = node1(baseLab());
    applyOk(c, { full: true, fresh: true });
    const first = filterSave();
    applyOk(c);
    applyOk(c, { full: true });
    expect(filterSave()).toEqual(first);
  });

  test('Services gone: no KUBE- chain or jump left in the filter table', () => {
    const lab = baseLab();
    applyOk(node1(lab), { full: true, fresh: true });
    applyOk(node1({ ...lab, services: undefined, kubeProxy: undefined }));
    expect(filterSave().filter((l) => /KUBE-/.test(l))).toEqual([]);
  });
});
