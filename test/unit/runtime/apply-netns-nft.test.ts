// apply.sh's nftables path, run for real in a network namespace (as apply-netns.test.ts does
// for iptables): table `ip calico` replaced in one `nft -f`, and a node that changes mode
// keeps nothing of the other one. Needs root, iproute2, iptables, ipset and nft.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { renderIptablesSave } from '../../../src/core/dataplane/render-nat.js';
import { nftHashedRules } from '../../../src/core/dataplane/render-nft.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { ContainerPlan } from '../../../src/core/plan/types.js';
import { applyInputFiles, type ApplyInputOptions } from '../../../src/runtime/agent/apply-input.js';
import type { TarFile } from '../../../src/runtime/engine/tar.js';
import { runApply, type ApplyRun } from '../helpers/apply-netns.js';
import { felix, makeLab, pool } from '../helpers/lab.js';
import { netnsAvailable } from '../helpers/netns.js';

const NS = `egl-nft-${process.pid}`;
const DOCKER_MASQ = '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE';
let root = '';

function nftInstalled(): boolean {
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function inNs(cmd: string[], input?: string): string {
  return execFileSync('ip', ['netns', 'exec', NS, ...cmd], { input, encoding: 'utf8' });
}

function node1(nft: boolean, natOutgoing = true, hostExclusions = false): ContainerPlan {
  const lab = makeLab({
    felixConfiguration: felix({
      ...(nft ? { nftablesMode: 'Enabled' as const } : {}),
      ...(hostExclusions ? { natOutgoingExclusions: 'IPPoolsAndHostIPs' as const } : {}),
    }),
    ipPools: [pool('default-ipv4-ippool', '192.168.0.0/16', { natOutgoing })],
  });
  return planLab(lab).containers.find((c) => c.name === 'node-1')!;
}

function run(files: TarFile[]): ApplyRun {
  return runApply(NS, root, files);
}
function applyOk(c: ContainerPlan, opts: ApplyInputOptions = {}): void {
  const r = run(applyInputFiles(c, opts));
  expect(r, r.stderr).toMatchObject({ status: 0, stdout: 'applied\n' });
}

/** `nft list table ip calico` (or another), '' when there is none. */
function table(name = 'calico'): string {
  try {
    return inNs(['nft', 'list', 'table', 'ip', name]);
  } catch {
    return '';
  }
}
/** The rules of the live table as the renderer writes them (counter values dropped). */
function liveRules(): string[] {
  return table()
    .split('\n')
    .map((l) => l.trim().replace(/counter packets \d+ bytes \d+/, 'counter'))
    .filter((l) => l.includes('counter'));
}
/** The plan's rules in the table's order: the base chain (Felix's hook) first. */
function planned(c: ContainerPlan): string[] {
  const r = nftHashedRules(c.dataplane!.nat);
  return [...r.filter((x) => x.appended), ...r.filter((x) => !x.appended)].map((x) => x.text);
}
function elements(set: string): string[] {
  const m = new RegExp(`set ${set} \\{[^}]*?elements = \\{ ([^}]*) \\}`, 's').exec(table());
  return m ? m[1]!.split(/,\s*/).map((x) => x.trim()) : [];
}
const caliIptables = (): string[] =>
  inNs(['iptables-save', '-t', 'nat'])
    .split('\n')
    .filter((l) => /cali|egress-lab/.test(l));
const caliSets = (): string[] =>
  inNs(['ipset', 'list', '-n'])
    .split('\n')
    .filter((s) => s.startsWith('cali'));

describe.skipIf(!netnsAvailable(NS) || !nftInstalled())('apply.sh, nftables mode', () => {
  beforeEach(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    inNs(['ip', 'link', 'set', 'lo', 'up']);
    root = mkdtempSync(join(tmpdir(), 'egl-nft-'));
    const c = node1(true);
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

  test('fresh apply: the table holds exactly the plan; no iptables rule, no ipset', () => {
    const c = node1(true);
    applyOk(c, { full: true, fresh: true });
    expect(liveRules()).toEqual(planned(c));
    expect(table()).toContain('type nat hook postrouting priority srcnat + 10; policy accept;');
    expect(table()).toContain('masquerade fully-random comment "cali:');
    expect(elements('cali40masq-ipam-pools')).toEqual(['192.168.0.0/16']);
    expect(caliIptables()).toEqual([]);
    expect(caliSets()).toEqual([]);
    // The lab's keeper, in its own table: a ct expression keeps conntrack on in the node.
    expect(table('egress-lab')).toMatch(
      /chain egress-lab-conntrack \{\n\s+ct state established,related counter packets 0 bytes 0 return/,
    );
  });

  test('re-applied (toggle, full): the same table, once', () => {
    const c = node1(true);
    applyOk(c, { full: true, fresh: true });
    const first = table();
    applyOk(c);
    applyOk(c, { full: true });
    expect(table()).toBe(first);
    expect(inNs(['nft', 'list', 'tables']).match(/table ip (calico|egress-lab)\n/g)).toEqual([
      'table ip calico\n',
      'table ip egress-lab\n',
    ]);
    expect(table('egress-lab').match(/ct state/g)).toHaveLength(1);
  });

  test('natOutgoing off: the masquerade rule and the set member go, the hook stays', () => {
    applyOk(node1(true), { full: true, fresh: true });
    applyOk(node1(true, false));
    expect(table()).not.toContain('masquerade');
    expect(elements('cali40masq-ipam-pools')).toEqual([]);
    expect(elements('cali40all-ipam-pools')).toEqual(['192.168.0.0/16']);
    expect(liveRules()[0]).toMatch(/^counter jump nat-cali-POSTROUTING comment "cali:/);
  });

  test('a set the plan drops is deleted, the table and its base chain are kept', () => {
    applyOk(node1(true, true, true), { full: true, fresh: true });
    expect(elements('cali40all-hosts-net')).toEqual(['172.30.0.11', '172.30.0.12']); // nft lists a /32 as its address;
    const handle = (): string =>
      /chain nat-POSTROUTING \{ # handle (\d+)/.exec(
        inNs(['nft', '-a', 'list', 'table', 'ip', 'calico']),
      )![1]!;
    const before = handle();
    applyOk(node1(true));
    expect(table()).not.toContain('cali40all-hosts-net');
    expect(liveRules()).toEqual(planned(node1(true)));
    // The same base chain object: never deleted, so the kernel keeps running flows' NAT.
    expect(handle()).toBe(before);
    applyOk(node1(true, true, true), { full: true });
    expect(elements('cali40all-hosts-net')).toHaveLength(2);
    expect(handle()).toBe(before);
  });

  test('iptables -> nftables: Calico iptables chains, hooks and ipsets go; others stay', () => {
    const ipt = node1(false);
    applyOk(ipt, { full: true, fresh: true });
    inNs(['iptables-restore', '--noflush'], `*nat\n${DOCKER_MASQ}\nCOMMIT\n`);
    expect(caliIptables().length).toBeGreaterThan(3);
    expect(caliSets().length).toBe(2);
    applyOk(node1(true)); // a live change of nftablesMode
    expect(caliIptables()).toEqual([]);
    expect(caliSets()).toEqual([]);
    expect(inNs(['iptables-save', '-t', 'nat'])).toContain(DOCKER_MASQ);
    expect(liveRules()).toEqual(planned(node1(true)));
  });

  test('nftables -> iptables: table calico goes, the iptables rules are the plan', () => {
    applyOk(node1(true), { full: true, fresh: true });
    const ipt = node1(false);
    applyOk(ipt);
    expect(table()).toBe('');
    expect(table('egress-lab')).toBe('');
    const ours = inNs(['iptables-save', '-t', 'nat'])
      .split('\n')
      .filter((l) =>
        /^\*|^COMMIT|^:POSTROUTING |^:(cali-|egress-lab)|^-A .*(cali|egress-lab)/.test(l),
      )
      .map((l) => l.replace(/ \[\d+:\d+\]$/, ' [0:0]'))
      .join('\n');
    expect(ours).toBe(renderIptablesSave(ipt.dataplane!.nat).trim());
    expect(caliSets().sort()).toEqual(['cali40all-ipam-pools', 'cali40masq-ipam-pools']);
  });

  test('a ruleset nft refuses: exit 3, the previous table kept', () => {
    applyOk(node1(true), { full: true, fresh: true });
    const before = table();
    const files = applyInputFiles(node1(true, false)).map((f) =>
      f.name === 'nft.rules'
        ? { ...f, content: f.content.toString().replace('counter jump', 'counter leap') }
        : f,
    );
    const r = run(files);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^rejected: nft/);
    expect(table()).toBe(before);
  });

  test('a rejected switch from iptables leaves the iptables rules and sets', () => {
    applyOk(node1(false), { full: true, fresh: true });
    const before = caliIptables();
    const files = applyInputFiles(node1(true)).map((f) =>
      f.name === 'nft.rules' ? { ...f, content: `${f.content.toString()}bogus\n` } : f,
    );
    expect(run(files).status).toBe(3);
    expect(caliIptables()).toEqual(before);
    expect(caliSets().length).toBe(2);
    expect(table()).toBe('');
  });
});
