// The rendered text against the real tools: ipset restore, iptables-restore --noflush and
// ip -batch in a throwaway network namespace (ip netns, nothing touches the machine's own
// tables), applied repeatedly the way the runtime does (its apply script, see
// test/unit/runtime/apply-netns.test.ts for the script's own cases). Skipped where that is
// not possible (not root, no tools).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderIptablesNat, renderIptablesSave } from '../../../src/core/dataplane/render-nat.js';
import { renderRoutes } from '../../../src/core/dataplane/render-routes.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { ContainerPlan } from '../../../src/core/plan/types.js';
import { applyInputFiles } from '../../../src/runtime/agent/apply-input.js';
import { runApply } from '../helpers/apply-netns.js';
import { felix, makeLab, pool } from '../helpers/lab.js';

const NS = `egress-lab-unit-${process.pid}`;

function canRun(): boolean {
  if (process.getuid?.() !== 0) return false;
  if (!['/usr/sbin/ipset', '/usr/sbin/iptables-restore', '/usr/sbin/ip'].every(existsSync))
    return false;
  try {
    execFileSync('ip', ['netns', 'add', `${NS}-probe`], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', `${NS}-probe`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function inNs(cmd: string[], input?: string): string {
  return execFileSync('ip', ['netns', 'exec', NS, ...cmd], {
    input,
    encoding: 'utf8',
    stdio: 'pipe',
  });
}

let root = '';

/** What the runtime does: its apply script on the plan's input (no routes: no links here; no BIRD). */
function apply(c: ContainerPlan): void {
  const files = applyInputFiles(c, { full: true, skipRoutes: true });
  const r = runApply(
    NS,
    root,
    files.filter((f) => f.name !== 'bird.conf'),
  );
  expect(r.status, r.stderr).toBe(0);
}

function ourSave(): string {
  // Drop the header comments and the kernel chains we add nothing to.
  return inNs(['iptables-save', '-t', 'nat'])
    .split('\n')
    .filter((l) => !l.startsWith('#') && !/^:(PREROUTING|INPUT|OUTPUT) /.test(l))
    .join('\n')
    .trimEnd();
}

const node1 = (lab: ReturnType<typeof makeLab>): ContainerPlan =>
  planLab(lab).containers.find((c) => c.name === 'node-1')!;

describe.skipIf(!canRun())('rendered dataplane applied in a network namespace', () => {
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    root = mkdtempSync(join(tmpdir(), 'egl-netns-apply-'));
  });
  afterAll(() => {
    execFileSync('ip', ['netns', 'del', NS]);
    rmSync(root, { recursive: true, force: true });
  });

  test('apply, re-apply, toggle natOutgoing: iptables-save shows exactly our rules, one hook', () => {
    const on = node1(
      makeLab({
        felixConfiguration: felix({
          natPortRange: '32768:65000',
          iptablesNATOutgoingInterfaceFilter: 'eth+',
          natOutgoingExclusions: 'IPPoolsAndHostIPs',
        }),
      }),
    );
    apply(on);
    apply(on);
    expect(ourSave()).toBe(renderIptablesSave(on.dataplane!.nat).trimEnd());
    expect(inNs(['ipset', 'list', 'cali40masq-ipam-pools'])).toMatch(
      /Members:\n192\.168\.0\.0\/16\n/,
    );

    const off = node1(makeLab({ ipPools: [pool('default-ipv4-ippool', '192.168.0.0/16')] }));
    apply(off);
    expect(ourSave()).toBe(renderIptablesSave(off.dataplane!.nat).trimEnd());
    expect(ourSave().match(/cali:0i8pjzKKPyA34aQD/g)).toHaveLength(1);
    expect(inNs(['ipset', 'list', 'cali40masq-ipam-pools'])).toMatch(/Number of entries: 0/);
  });

  test('routes: ip -batch accepts the rendered text for a pod and a node, twice', () => {
    const plan = planLab(makeLab());
    for (const name of ['web-1', 'node-1']) {
      const c = plan.containers.find((x) => x.name === name)!;
      c.interfaces.forEach((i, k) => {
        // veth, not dummy: containers often lack the dummy module.
        inNs(['ip', 'link', 'add', i.ifname, 'type', 'veth', 'peer', 'name', `peer${k}`]);
        inNs(['ip', 'link', 'set', `peer${k}`, 'up']);
        for (const a of i.addresses) inNs(['ip', 'addr', 'add', a, 'dev', i.ifname]);
        inNs(['ip', 'link', 'set', i.ifname, 'up']);
      });
      inNs(['ip', '-batch', '-'], renderRoutes(c.routes));
      inNs(['ip', '-batch', '-'], renderRoutes(c.routes));
      const shown = inNs(['ip', 'route', 'show']);
      for (const r of c.routes)
        expect(shown).toContain(
          r.dst === 'default'
            ? `default via ${r.via} dev ${r.dev}`
            : `${r.dst.replace('/32', '')} dev ${r.dev}`,
        );
      expect(shown.split('\n').filter((l) => l.startsWith('default'))).toHaveLength(1);
      for (const i of c.interfaces) inNs(['ip', 'link', 'del', i.ifname]);
    }
  });

  test('a hook duplicated by a blind re-apply is repaired by the next apply', () => {
    const c = node1(makeLab());
    const dp = c.dataplane!;
    inNs(['iptables-restore', '--noflush'], renderIptablesNat(dp.nat));
    inNs(['iptables-restore', '--noflush'], renderIptablesNat(dp.nat));
    expect(
      inNs(['iptables-save', '-t', 'nat']).match(/cali:0i8pjzKKPyA34aQD/g)!.length,
    ).toBeGreaterThan(1);
    apply(c);
    expect(ourSave()).toBe(renderIptablesSave(dp.nat).trimEnd());
  });
});
