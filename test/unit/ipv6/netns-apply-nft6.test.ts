// apply.sh's IPv6 side in nftables mode (nft6.* files), run for real in a network namespace as
// the runtime runs it: `table ip6 calico` (and the keeper's `ip6 egress-lab`) in the same
// `nft -f` transaction as IPv4's; applied again (full and not) and toggled, the kernel's table
// holds exactly the rendered rules; a mode change keeps nothing of the other mode's IPv6 side;
// FelixConfiguration ipv6Support: false takes Felix's IPv6 state away in either mode.
// Needs root, ip netns, nft, ip6tables and ipset.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { patchedLab } from '../../../src/core/changes/lab-changes.js';
import { renderIptablesSave } from '../../../src/core/dataplane/render-nat.js';
import { felixIpv6, nft6HashedRules } from '../../../src/core/dataplane/render-nft6.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import type { Lab } from '../../../src/core/model/lab.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { ContainerPlan } from '../../../src/core/plan/types.js';
import { applyInputFiles, type ApplyInputOptions } from '../../../src/runtime/agent/apply-input.js';
import type { TarFile } from '../../../src/runtime/engine/tar.js';
import { runApply } from '../helpers/apply-netns.js';
import { netnsAvailable } from '../helpers/netns.js';

const NS = `egl-nft6-${process.pid}`;
const FILE = 'lab-templates/nat66-toggle.yaml';

/** The NAT66 template, its Felix in nftables mode or not, with other Felix fields. */
function lab(nft: boolean, felix = ''): Lab {
  const spec = `${nft ? '  nftablesMode: Enabled\n' : ''}${felix}`;
  const doc = spec
    ? `---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata:\n  name: default\nspec:\n${spec}`
    : '';
  return loadLab([{ file: FILE, text: `${readFileSync(FILE, 'utf8')}${doc}` }]);
}
const node1 = (l: Lab): ContainerPlan => planLab(l).containers.find((c) => c.name === 'node-1')!;
const off = (l: Lab): Lab => patchedLab(l, 'ula-pool', { spec: { natOutgoing: false } });

const inNs = (cmd: string[], input?: string): string =>
  execFileSync('ip', ['netns', 'exec', NS, ...cmd], { input, encoding: 'utf8', stdio: 'pipe' });

let root = '';
function files(c: ContainerPlan, opts: ApplyInputOptions = {}): TarFile[] {
  return applyInputFiles(c, { skipRoutes: true, ...opts }).filter((f) => f.name !== 'bird.conf');
}
function applyOk(c: ContainerPlan, opts: ApplyInputOptions = {}): void {
  const r = runApply(NS, root, files(c, opts));
  expect(r, r.stderr).toMatchObject({ status: 0, stdout: 'applied\n' });
}

function table(family: 'ip' | 'ip6', name = 'calico'): string {
  try {
    return inNs(['nft', 'list', 'table', family, name]);
  } catch {
    return '';
  }
}
/** The live rules of `table ip6 calico`, counter values dropped: as the renderer writes them. */
const liveRules6 = (): string[] =>
  table('ip6')
    .split('\n')
    .map((l) => l.trim().replace(/counter packets \d+ bytes \d+/, 'counter'))
    .filter((l) => l.includes('counter'));
/** The plan's rules in the table's order: the base chain (Felix's hook) first. */
function planned6(c: ContainerPlan): string[] {
  const r = nft6HashedRules(felixIpv6(c.dataplane!)!);
  return [...r.filter((x) => x.appended), ...r.filter((x) => !x.appended)].map((x) => x.text);
}
function elements6(set: string): string[] {
  const m = new RegExp(`set ${set} \\{[^}]*?elements = \\{ ([^}]*) \\}`, 's').exec(table('ip6'));
  return m ? m[1]!.split(/,\s*/).map((x) => x.trim()) : [];
}
const caliIp6tables = (): string[] =>
  inNs(['ip6tables-save', '-t', 'nat'])
    .split('\n')
    .filter((l) => /cali|egress-lab/.test(l));
const caliSets = (): string[] =>
  inNs(['ipset', 'list', '-n'])
    .split('\n')
    .filter((s) => s.startsWith('cali'));

function toolsInstalled(): boolean {
  return ['nft', 'ip6tables-save', 'ipset'].every(
    (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0,
  );
}

describe.skipIf(!netnsAvailable(NS) || !toolsInstalled())('apply.sh, table ip6 calico', () => {
  beforeEach(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    root = mkdtempSync(join(tmpdir(), 'egl-nft6-'));
  });
  afterEach(() => {
    execFileSync('ip', ['netns', 'del', NS]);
    rmSync(root, { recursive: true, force: true });
  });

  test('applied, re-applied (full and not) and toggled: the ip6 table is exactly the plan', () => {
    const on = node1(lab(true));
    const no = node1(off(lab(true)));
    for (const [c, opts] of [
      [on, { full: true, fresh: true }],
      [on, { full: true }],
      [on, {}],
      [no, {}],
      [no, { full: true }],
      [on, {}],
    ] as const) {
      applyOk(c, opts);
      expect(liveRules6()).toEqual(planned6(c));
      expect(elements6('cali60masq-ipam-pools')).toEqual(c === on ? ['fd00:10::/48'] : []);
      expect(elements6('cali60all-ipam-pools')).toEqual(['fd00:10::/48']);
    }
    expect(table('ip6')).toContain(
      'type nat hook postrouting priority srcnat + 10; policy accept;',
    );
    expect(table('ip6')).toContain(
      'ip6 saddr @cali60masq-ipam-pools ip6 daddr != @cali60all-ipam-pools counter',
    );
    // IPv4's table beside it, the keeper in both families, nothing in ip6tables or ipset.
    expect(table('ip')).toContain('ip saddr @cali40masq-ipam-pools');
    expect(table('ip6', 'egress-lab').match(/ct state/g)).toHaveLength(1);
    expect(inNs(['nft', 'list', 'tables']).split('\n').filter(Boolean).sort()).toEqual([
      'table ip calico',
      'table ip egress-lab',
      'table ip6 calico',
      'table ip6 egress-lab',
    ]);
    expect(caliIp6tables()).toEqual([]);
    expect(caliSets()).toEqual([]);
  });

  test('IPv6 policy in nftables mode: its chains in table ip6 calico, none in ip6tables', () => {
    const policy = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: no-v6-internet}
spec:
  selector: all()
  types: [Egress]
  egress:
  - {action: Deny, destination: {nets: ['2001:db8:113::/64']}}
  - {action: Allow}
`;
    const text = `${readFileSync(FILE, 'utf8')}---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {nftablesMode: Enabled}\n${policy}`;
    const c = node1(loadLab([{ file: FILE, text }]));
    expect(felixIpv6(c.dataplane!)?.filter).toBeDefined();
    expect(files(c).map((f) => f.name)).not.toContain('filter6.head');
    applyOk(c, { full: true, fresh: true });
    const t6 = table('ip6');
    expect(t6).toContain('chain filter-FORWARD');
    expect(t6).toMatch(/ip6 daddr 2001:db8:113::\/64 counter .*meta mark \| 0x00040000/);
    expect(
      inNs(['ip6tables-save', '-t', 'filter'])
        .split('\n')
        .filter((l) => /cali/.test(l)),
    ).toEqual([]);
    // The policy deleted: its chains leave the ip6 table, NAT stays.
    applyOk(node1(lab(true)));
    expect(table('ip6')).not.toContain('filter-FORWARD');
    expect(liveRules6()).toEqual(planned6(node1(lab(true))));
  });

  test('iptables -> nftables: ip6tables chains, hook and cali60 sets go', () => {
    applyOk(node1(lab(false)), { full: true, fresh: true });
    expect(caliIp6tables().length).toBeGreaterThan(3);
    expect(caliSets()).toContain('cali60masq-ipam-pools');
    applyOk(node1(lab(true))); // a live change of nftablesMode
    expect(caliIp6tables()).toEqual([]);
    expect(caliSets()).toEqual([]);
    expect(liveRules6()).toEqual(planned6(node1(lab(true))));
  });

  test('nftables -> iptables: the ip6 tables go, ip6tables holds the plan', () => {
    applyOk(node1(lab(true)), { full: true, fresh: true });
    const ipt = node1(lab(false));
    applyOk(ipt);
    expect(table('ip6')).toBe('');
    expect(table('ip6', 'egress-lab')).toBe('');
    const rules = (t: string) => t.split('\n').filter((l) => l.startsWith('-A '));
    expect(rules(inNs(['ip6tables-save', '-t', 'nat']))).toEqual(
      rules(renderIptablesSave(felixIpv6(ipt.dataplane!)!.nat)),
    );
  });

  test('ipv6Support false: Felix’s IPv6 state goes in either mode, IPv4’s stays', () => {
    const noV6 = '  ipv6Support: false\n';
    applyOk(node1(lab(true)), { full: true, fresh: true });
    applyOk(node1(lab(true, noV6)));
    expect(table('ip6')).toBe('');
    expect(table('ip6', 'egress-lab')).toBe('');
    expect(table('ip')).toContain('ip saddr @cali40masq-ipam-pools');
    applyOk(node1(lab(true)));
    expect(liveRules6()).toEqual(planned6(node1(lab(true))));

    applyOk(node1(lab(false)), { full: true });
    expect(caliIp6tables().length).toBeGreaterThan(3);
    applyOk(node1(lab(false, noV6)));
    expect(caliIp6tables()).toEqual([]);
    expect(caliSets().sort()).toEqual(['cali40all-ipam-pools', 'cali40masq-ipam-pools']);
    expect(inNs(['iptables-save', '-t', 'nat'])).toContain('cali40masq-ipam-pools');
  });

  test('an ip6 table nft refuses: exit 3, both families as they were', () => {
    applyOk(node1(lab(true)), { full: true, fresh: true });
    const before = [table('ip'), table('ip6')];
    const bad = files(node1(off(lab(true)))).map((f) =>
      f.name === 'nft6.rules'
        ? { ...f, content: f.content.toString().replace('counter jump', 'counter leap') }
        : f,
    );
    const r = runApply(NS, root, bad);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('rejected: nft:');
    expect([table('ip'), table('ip6')]).toEqual(before);
  });
});
