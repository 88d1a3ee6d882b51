import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const TEMPLATE = 'lab-templates/outgoing-nat.yaml';
const dir = mkdtempSync(join(tmpdir(), 'egress-cli-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('exit codes', () => {
  it('is 2 for an unknown command, an unknown flag and a missing argument', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['validate', '--bogus', TEMPLATE])).code).toBe(2);
    expect((await runCli(['explain', TEMPLATE, '--from', 'web-1'])).code).toBe(2);
    expect((await runCli(['rules', TEMPLATE, '--format', 'nftables'])).code).toBe(2);
    expect((await runCli(['set', 'calico-version'])).code).toBe(2);
    expect((await runCli(['set', 'calico-version', 'v3.31', 'v3.32'])).code).toBe(2);
  });

  it('is 1 with FILE:LINE:COL for invalid input, and 0 for valid input', async () => {
    const bad = file(
      'bad.yaml',
      'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec:\n  cidr: 10.0.0.0/8\n  blockSize: 19\n',
    );
    const r = await runCli(['validate', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:\\d+: IPPool\\(p\\) spec\\.blockSize: `,
        'm',
      ),
    );
    expect(r.err).toContain('IPv4 block size must be between 20 and 32');
    expect(r.err).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect((await runCli(['validate', TEMPLATE])).code).toBe(0);
  });

  it('reports a missing file as bad input with its name', async () => {
    const r = await runCli(['validate', join(dir, 'nope.yaml')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('nope.yaml:1:1: cannot read file: no such file');
  });
});

describe('validate: what the lab does not model', () => {
  const text =
    'apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec:\n  natPortRange: "32768:65535"\n  chainInsertMode: Append\n  logSeverityScreen: Info\n';
  it('prints FILE:LINE:COL: warning: lines, then the verdict, and exits 0', async () => {
    const f = file('felix.yaml', text);
    const r = await runCli(['validate', f]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      `${f}:6:3: warning: FelixConfiguration(default) not modelled: spec.chainInsertMode — ignored: the rules the lab renders are those Felix programs with it unset`,
      `${f}:7:3: warning: FelixConfiguration(default) not modelled: spec.logSeverityScreen — ignored: the rules the lab renders are those Felix programs with it unset`,
      `${f}: valid (0 IPPools, 1 FelixConfiguration)`,
      '',
    ]);
  });
  it('refuses bpfEnabled: true in Calico resources alone too, at the field (exit 1)', async () => {
    const f = file(
      'bpf.yaml',
      'apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec:\n  bpfEnabled: true\n',
    );
    const r = await runCli(['validate', f]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `${f}:5:15: FelixConfiguration(default) spec.bpfEnabled: bpfEnabled: true is refused`,
    );
  });
  it('lists them with --json, positioned, with severity warning', async () => {
    const r = await runCli(['validate', '--json', file('felix2.yaml', text)]);
    const body = JSON.parse(r.out) as {
      ok: boolean;
      warnings: { position: { line: number; col: number }; severity: string; text: string }[];
    };
    expect(body.ok).toBe(true);
    expect(body.warnings.map((w) => [w.position.line, w.position.col, w.severity])).toEqual([
      [6, 3, 'warning'],
      [7, 3, 'warning'],
    ]);
  });
});

describe('validate --json', () => {
  it('lists problems with positions', async () => {
    const bad = file(
      'bad2.yaml',
      'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: q}\nspec: {cidr: 10.0.0.0/8, natOutgoin: true}\n',
    );
    const r = await runCli(['validate', '--json', bad]);
    expect(r.code).toBe(1);
    const body = JSON.parse(r.out) as {
      ok: boolean;
      problems: { position: { line: number }; field: string }[];
    };
    expect(body.ok).toBe(false);
    expect(body.problems[0]!.position.line).toBe(4);
    expect(body.problems[0]!.field).toContain('natOutgoin');
  });
});

describe('rules', () => {
  it('prints only the asked format for the asked node', async () => {
    const r = await runCli(['rules', TEMPLATE, '--node', 'node-2', '--format', 'iptables']);
    expect(r.code).toBe(0);
    expect(r.out.startsWith('*nat')).toBe(true);
    expect(r.out).toContain('--jump MASQUERADE --random-fully');
    expect(r.out).not.toContain('protocol bgp');
  });

  it('nftables mode: --format nft prints table ip calico; iptables and ipset say why not', async () => {
    const lab = file(
      'nft.yaml',
      readFileSync(TEMPLATE, 'utf8') +
        '---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {nftablesMode: Enabled}\n',
    );
    const r = await runCli(['rules', lab, '--node', 'node-1', '--format', 'nft']);
    expect(r.code, r.err).toBe(0);
    expect(r.out.startsWith('table ip calico {\n')).toBe(true);
    expect(r.out).toMatch(/counter masquerade fully-random comment "cali:[\w-]{16};"/);
    for (const format of ['iptables', 'ipset']) {
      const bad = await runCli(['rules', lab, '--node', 'node-1', '--format', format]);
      expect(bad.code).toBe(1);
      expect(bad.err).toContain("node-1 runs Felix's nftables dataplane");
    }
    const all = await runCli(['rules', lab, '--node', 'node-1']);
    expect(all.out).toContain('# node-1: nft -f (table ip calico)');
    expect(all.out).not.toContain('iptables-restore');
    const ipt = await runCli(['rules', TEMPLATE, '--node', 'node-1', '--format', 'nft']);
    expect(ipt.code).toBe(1);
    expect(ipt.err).toContain("node-1 runs Felix's iptables dataplane");
  });

  it('says which nodes exist when the node is unknown', async () => {
    const r = await runCli(['rules', TEMPLATE, '--node', 'node-9']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('node-1, node-2');
  });

  it('renders pod routes on the cali veth of the pod', async () => {
    const r = await runCli(['rules', TEMPLATE, '--node', 'node-1', '--format', 'routes', '--json']);
    const [node] = JSON.parse(r.out) as { rendered: { routes: string } }[];
    expect(node!.rendered.routes).toMatch(
      /route replace 192\.168\.\d+\.\d+\/32 dev cali[0-9a-f]{11} scope link/,
    );
  });
});

describe('explain', () => {
  it('shows masquerade to the node for an internet host and no NAT between pods', async () => {
    const out = JSON.parse(
      (await runCli(['explain', TEMPLATE, '--from', 'web-1', '--to', 'internet', '--json'])).out,
    );
    expect(out.seenAs).toBe('node');
    expect(out.nat.action).toBe('masquerade');
    const pod = JSON.parse(
      (await runCli(['explain', TEMPLATE, '--from', 'web-1', '--to', 'web-2', '--json'])).out,
    );
    expect(pod.seenAs).toBe('pod');
    expect(pod.nat.action).toBe('none');
  });

  it('is an input error (1) for an unknown pod', async () => {
    const r = await runCli(['explain', TEMPLATE, '--from', 'nobody', '--to', '203.0.113.10']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('nobody');
  });
});

describe('get ippool -f', () => {
  it('prints calicoctl wide columns and filters by name', async () => {
    const r = await runCli(['get', 'ippool', '-f', TEMPLATE, '-o', 'wide']);
    expect(r.out.split('\n')[0]!.split(/\s+/).filter(Boolean)).toEqual([
      'NAME',
      'CIDR',
      'NAT',
      'IPIPMODE',
      'VXLANMODE',
      'DISABLED',
      'DISABLEBGPEXPORT',
      'SELECTOR',
      'ASSIGNMENTMODE',
    ]);
    expect((await runCli(['get', 'ippool', 'missing', '-f', TEMPLATE])).code).toBe(1);
  });
});
