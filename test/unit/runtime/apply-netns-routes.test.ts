// apply.sh's stale routes, run for real in a network namespace: the routes the lab programmed
// before and no longer wants are removed (as Felix's route manager removes the routes it owns),
// and routes the lab did not program (BIRD's `proto bird`, the kernel's) are never touched.
// Needs root and iproute2/iptables/ipset (else skipped).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { RouteSpec } from '../../../src/core/dataplane/types.js';
import { renderRoutes } from '../../../src/core/dataplane/render-routes.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { ContainerPlan } from '../../../src/core/plan/types.js';
import { applyInputFiles, type ApplyInputOptions } from '../../../src/runtime/agent/apply-input.js';
import { runApply } from '../helpers/apply-netns.js';
import { makeLab } from '../helpers/lab.js';
import { netnsAvailable } from '../helpers/netns.js';

const NS = `egl-aroutes-${process.pid}`;
let root = '';

function inNs(cmd: string[], input?: string): string {
  return execFileSync('ip', ['netns', 'exec', NS, ...cmd], { input, encoding: 'utf8' });
}
const node = (): ContainerPlan => planLab(makeLab()).containers.find((c) => c.name === 'node-1')!;
/** node-1's plan with other routes: `extra` beside its own, or `only` instead of them. */
function withRoutes(extra: RouteSpec[], only = false): ContainerPlan {
  const c = node();
  return { ...c, routes: only ? extra : [...c.routes, ...extra] };
}
function applyOk(c: ContainerPlan, opts: ApplyInputOptions = {}): void {
  const r = runApply(NS, root, applyInputFiles(c, opts));
  expect(r, r.stderr).toMatchObject({ status: 0, stdout: 'applied\n' });
}
const routes = (): string => inNs(['ip', 'route', 'show']);
const gw = (): string => node().routes.find((r) => r.dst === 'default')!.via!;

// Two routes a plan can drop, as a pool change drops them (VXLAN → Never: the block's
// blackhole; CrossSubnet → Always: a same-rack block's route via the other node).
const STALE: RouteSpec[] = [
  { dst: '192.168.9.0/26', type: 'blackhole' },
  { dst: '10.99.0.0/26', via: '', dev: 'eth0', onlink: true },
];
const stale = (): RouteSpec[] => STALE.map((r) => (r.via === '' ? { ...r, via: gw() } : r));

describe.skipIf(!netnsAvailable(NS))('apply.sh removes the routes it no longer wants', () => {
  beforeEach(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    inNs(['ip', 'link', 'set', 'lo', 'up']);
    root = mkdtempSync(join(tmpdir(), 'egl-aroutes-'));
    const c = node();
    c.interfaces.forEach((i, k) => {
      inNs(['ip', 'link', 'add', i.ifname, 'type', 'veth', 'peer', 'name', `peer${k}`]);
      inNs(['ip', 'link', 'set', `peer${k}`, 'up']);
      for (const a of i.addresses) inNs(['ip', 'addr', 'add', a, 'dev', i.ifname]);
      inNs(['ip', 'link', 'set', i.ifname, 'up']);
    });
  });
  afterEach(() => {
    execFileSync('ip', ['netns', 'del', NS]);
    rmSync(root, { recursive: true, force: true });
  });

  test("dropped routes go; the plan's others and BIRD's (same prefix too) stay", () => {
    applyOk(withRoutes(stale()), { full: true, fresh: true });
    expect(routes()).toContain('blackhole 192.168.9.0/26');
    expect(routes()).toContain(`10.99.0.0/26 via ${gw()} dev eth0 onlink`);
    // BIRD's routes: one for the same block at another metric, one of its own.
    inNs(['ip', 'route', 'add', 'blackhole', '192.168.9.0/26', 'proto', 'bird', 'metric', '7']);
    inNs(['ip', 'route', 'add', '10.98.0.0/26', 'via', gw(), 'dev', 'eth0', 'proto', 'bird']);

    applyOk(node()); // a live change: the plan without them
    const now = routes();
    expect(now).not.toMatch(/^blackhole 192\.168\.9\.0\/26 proto boot/m);
    expect(now).not.toContain('10.99.0.0/26');
    expect(now).toMatch(/^blackhole 192\.168\.9\.0\/26 proto bird metric 7/m);
    expect(now).toContain(`10.98.0.0/26 via ${gw()} dev eth0 proto bird`);
    expect(now).toContain(`default via ${gw()} dev eth0`);
    // The pod's own route stays (its address and veth from the plan).
    const pod = node().routes.find((r) => r.dev?.startsWith('cali'))!;
    expect(now).toContain(`${pod.dst.replace(/\/32$/, '')} dev ${pod.dev} scope link`);
  });

  test('a route whose next hop changed is replaced, not removed', () => {
    const [, r] = stale();
    applyOk(withRoutes([r!]), { full: true, fresh: true });
    inNs(['ip', 'link', 'add', 'vx0', 'type', 'veth', 'peer', 'name', 'vx0p']);
    inNs(['ip', 'link', 'set', 'vx0p', 'up']);
    inNs(['ip', 'link', 'set', 'vx0', 'up']);
    applyOk(withRoutes([{ dst: r!.dst, dev: 'vx0' }]));
    expect(routes()).toMatch(/^10\.99\.0\.0\/26 dev vx0/m);
    applyOk(withRoutes([{ dst: r!.dst, dev: 'vx0' }])); // again: still there
    expect(routes()).toMatch(/^10\.99\.0\.0\/26 dev vx0/m);
  });

  test('routes the wiring added at up are known to the apply and removed when dropped', () => {
    const c = withRoutes(stale());
    applyOk(c, { full: true, fresh: true, skipRoutes: true });
    inNs(['ip', '-batch', '-'], renderRoutes(c.routes)); // the wiring's part
    expect(routes()).toContain('blackhole 192.168.9.0/26');
    applyOk(node());
    expect(routes()).not.toContain('192.168.9.0/26');
    expect(routes()).not.toContain('10.99.0.0/26');
  });

  test('a plan with no routes left removes all the lab programmed, nothing else', () => {
    applyOk(withRoutes(stale()), { full: true, fresh: true });
    inNs(['ip', 'route', 'add', '10.98.0.0/26', 'via', gw(), 'dev', 'eth0', 'proto', 'bird']);
    applyOk(withRoutes([], true));
    const now = routes();
    expect(now).not.toContain('default');
    expect(now).not.toContain('192.168.9.0/26');
    expect(now).not.toMatch(/dev cali/);
    expect(now).toContain('10.98.0.0/26'); // BIRD's
    expect(now).toMatch(/proto kernel/); // eth0's subnet, the kernel's
  });
});
