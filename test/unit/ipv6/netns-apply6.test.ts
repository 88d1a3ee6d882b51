// The apply script's IPv6 stage (runtime/agent/apply.sh, nat6.* files) in a throwaway network
// namespace, as the runtime runs it: ip6tables' nat table and the cali60 sets, applied again
// and again (full re-checks, as `up` does on a reused container) and toggled, leave exactly the
// rendered rules and one POSTROUTING hook. Skipped unless root with ip netns, ipset, ip6tables.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { patchedLab } from '../../../src/core/changes/lab-changes.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderContainer } from '../../../src/core/plan/render-container.js';
import type { ContainerPlan } from '../../../src/core/plan/types.js';
import type { Lab } from '../../../src/core/model/lab.js';
import { applyInputFiles } from '../../../src/runtime/agent/apply-input.js';
import { runApply } from '../helpers/apply-netns.js';

const NS = `egress-lab-v6-${process.pid}`;
const FILE = 'lab-templates/nat66-toggle.yaml';

function canRun(): boolean {
  if (process.getuid?.() !== 0) return false;
  if (!['/usr/sbin/ipset', '/usr/sbin/ip6tables-restore', '/usr/sbin/ip'].every(existsSync))
    return false;
  try {
    execFileSync('ip', ['netns', 'add', `${NS}-probe`], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', `${NS}-probe`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const inNs = (cmd: string[]): string =>
  execFileSync('ip', ['netns', 'exec', NS, ...cmd], { encoding: 'utf8', stdio: 'pipe' });

const node1 = (lab: Lab): ContainerPlan =>
  planLab(lab).containers.find((c) => c.name === 'node-1')!;

let root = '';

function apply(c: ContainerPlan, full: boolean): void {
  const files = applyInputFiles(c, { full, skipRoutes: true }).filter(
    (f) => f.name !== 'bird.conf',
  );
  const r = runApply(NS, root, files);
  expect(r.status, r.stderr).toBe(0);
}

const rulesIn = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('-A '));

describe.skipIf(!canRun())('the IPv6 stage of the apply script in a network namespace', () => {
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    root = mkdtempSync(join(tmpdir(), 'egl-netns-v6-'));
  });
  afterAll(() => {
    execFileSync('ip', ['netns', 'del', NS]);
    rmSync(root, { recursive: true, force: true });
  });

  test('apply, re-apply (full and not), toggle: ip6tables holds exactly the rendered rules', () => {
    const lab = loadLab([{ file: FILE, text: readFileSync(FILE, 'utf8') }]);
    const on = node1(lab);
    const off = node1(patchedLab(lab, 'ula-pool', { spec: { natOutgoing: false } }));
    const want = (c: ContainerPlan) => rulesIn(renderContainer(c).ip6tablesSave!);
    for (const [c, full] of [
      [on, true],
      [on, true],
      [on, false],
      [off, false],
      [off, true],
      [on, false],
    ] as const) {
      apply(c, full);
      expect(rulesIn(inNs(['ip6tables-save', '-t', 'nat']))).toEqual(want(c));
      const masq = inNs(['ipset', 'list', 'cali60masq-ipam-pools']);
      expect(masq).toContain('family inet6');
      expect(masq.includes('fd00:10::/48')).toBe(c === on);
    }
    // IPv4's table is there too, and the IPv6 rules never leak into it.
    expect(inNs(['iptables-save', '-t', 'nat'])).not.toContain('cali60');
  });
});
