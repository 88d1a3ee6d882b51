import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderIptablesNat } from '../../../src/core/dataplane/render-nat.js';
import { loadLab } from '../../../src/core/lab-file/load.js';
import { planLab, renderBirdConfig } from '../../../src/core/plan/index.js';
import {
  APPLY_SCRIPT,
  applyInputFiles,
  servicesFile,
} from '../../../src/runtime/agent/apply-input.js';
import { scenarioYaml } from '../../lab/fixtures/scenario-lab.js';

describe('apply input', () => {
  const plan = planLab(
    loadLab([{ file: 'l.yaml', text: scenarioYaml({ name: 'u', natOutgoing: true }) }]),
  );
  it('gives a node ipsets, nat rules, routes and BIRD; a host its routes and echo servers', () => {
    const names = (c: string): string[] =>
      applyInputFiles(plan.containers.find((x) => x.name === c)!).map((f) => f.name);
    expect(names('node-1')).toEqual([
      'ipset.stage',
      'ipset.swap',
      'ipset.names',
      'nat.head',
      'nat.own',
      'nat.kern',
      'routes.batch',
      'bird.conf',
    ]);
    expect(names('internet')).toEqual(['routes.batch', 'services']);
    expect(names('web-1')).toEqual(['routes.batch']);
  });
  it('a node in nftables mode gets one nft transaction instead of ipsets and the nat table', () => {
    const felix =
      '---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {nftablesMode: Enabled}\n';
    const nft = planLab(
      loadLab([{ file: 'l.yaml', text: scenarioYaml({ name: 'u', natOutgoing: true }) + felix }]),
    );
    const files = applyInputFiles(nft.containers.find((x) => x.name === 'node-1')!);
    expect(files.map((f) => f.name)).toEqual([
      'nft.prep',
      'nft.rules',
      'routes.batch',
      'bird.conf',
    ]);
    const prep = files.find((f) => f.name === 'nft.prep')!.content.toString();
    expect(prep.split('\n').slice(0, 4)).toEqual([
      'add table ip calico',
      'flush table ip calico',
      'add set ip calico cali40masq-ipam-pools { type ipv4_addr; flags interval; }',
      'flush set ip calico cali40masq-ipam-pools',
    ]);
    expect(prep).not.toMatch(/delete table/); // the nat base chain must survive an apply
    const rules = files.find((f) => f.name === 'nft.rules')!.content.toString();
    expect(rules).toMatch(/^table ip calico \{\n/);
    expect(rules).toContain('elements = { 192.168.0.0/16 }');
    expect(rules).toContain('table ip egress-lab {\n\tchain egress-lab-conntrack {');
  });
  it('stages the masq set with the natOutgoing pool', () => {
    const files = applyInputFiles(plan.containers.find((x) => x.name === 'node-1')!);
    const stage = files.find((f) => f.name === 'ipset.stage')!.content.toString();
    expect(stage).toMatch(/create cali40masq-ipam-pools hash:net family inet .*-exist/);
    expect(stage).toContain('192.168.0.0/16');
  });
  it('accepts only known services on valid ports', () => {
    expect(servicesFile([{ kind: 'tcp-echo', port: 8080 }])).toBe('tcp-echo 8080\n');
    expect(() => servicesFile([{ kind: 'tcp-echo', port: 0 }])).toThrow(/port/);
  });
  it('renders the nat parts from the data: together they are the whole restore input', () => {
    const node = plan.containers.find((x) => x.name === 'node-1')!;
    const f = Object.fromEntries(applyInputFiles(node).map((x) => [x.name, x.content]));
    expect(`${f['nat.head']}${f['nat.own']}${f['nat.kern']}COMMIT\n`).toBe(
      renderIptablesNat(node.dataplane!.nat),
    );
    expect(f['nat.kern']).toMatch(/^-A POSTROUTING .*cali:.*--jump cali-POSTROUTING\n$/);
  });
  it('skips the routes when asked, and starts BIRD with its sessions disabled when asked', () => {
    const node = plan.containers.find((x) => x.name === 'node-1')!;
    const files = applyInputFiles(node, { skipRoutes: true, birdSessionsDisabled: true });
    expect(files.map((f) => f.name)).not.toContain('routes.batch');
    const bird = files.find((f) => f.name === 'bird.conf')!.content.toString();
    expect(bird).toBe(renderBirdConfig(node, { sessionsDisabled: true }));
    expect(bird).toContain('  disabled;');
    const full = applyInputFiles(node, { full: true, fresh: true }).map((f) => f.name);
    expect(full.slice(0, 2)).toEqual(['full', 'fresh']);
  });
  it('is the shipped apply.sh, a valid shell script', () => {
    expect(APPLY_SCRIPT).toBe(
      readFileSync(new URL('../../../src/runtime/agent/apply.sh', import.meta.url), 'utf8'),
    );
    execFileSync('sh', ['-n', '-c', APPLY_SCRIPT]);
  });
  it.skipIf(!existsSync('/usr/bin/shellcheck'))('passes shellcheck', () => {
    execFileSync('shellcheck', [
      fileURLToPath(new URL('../../../src/runtime/agent/apply.sh', import.meta.url)),
    ]);
  });
});
