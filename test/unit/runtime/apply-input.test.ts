import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/load.js';
import { planLab } from '../../../src/core/plan/index.js';
import {
  APPLY_SCRIPT,
  applyInputFiles,
  ipsetStages,
  ipsetStagesFromData,
  servicesFile,
  splitNatRestore,
} from '../../../src/runtime/agent/apply-input.js';
import { scenarioYaml } from '../../lab/fixtures/scenario-lab.js';

describe('ipset stages (temporary set, then swap)', () => {
  it('fills temporary sets and swaps them in, creating missing live sets empty', () => {
    const s = ipsetStages(
      'create cali40masq-ipam-pools hash:net family inet\nadd cali40masq-ipam-pools 192.168.0.0/16\ncreate cali40all-ipam-pools hash:net family inet\n',
    );
    expect(s.stage.split('\n')).toEqual([
      'create cali40masq-ipam-pools hash:net family inet -exist',
      'create egl-tmp-0 hash:net family inet',
      'add egl-tmp-0 192.168.0.0/16 -exist',
      'create cali40all-ipam-pools hash:net family inet -exist',
      'create egl-tmp-1 hash:net family inet',
      '',
    ]);
    // the live sets are only touched by swap
    expect(s.stage).not.toMatch(/^add cali/m);
    expect(s.swap).toBe(
      'swap cali40masq-ipam-pools egl-tmp-0\ndestroy egl-tmp-0\nswap cali40all-ipam-pools egl-tmp-1\ndestroy egl-tmp-1\n',
    );
    expect(s.names).toEqual(['cali40masq-ipam-pools', 'cali40all-ipam-pools']);
  });

  it('builds the same from sets as data', () => {
    const s = ipsetStagesFromData([
      {
        name: 'cali40all-ipam-pools',
        type: 'hash:net',
        family: 'inet',
        members: ['10.0.0.0/8', '192.168.0.0/16'],
      },
    ]);
    expect(s.stage).toContain(
      'add egl-tmp-0 10.0.0.0/8 -exist\nadd egl-tmp-0 192.168.0.0/16 -exist',
    );
  });

  it('refuses input it does not understand, saying where', () => {
    expect(() => ipsetStages('add x 1.2.3.4/32')).toThrow(
      /line 1: set x is used before its create line/,
    );
    expect(() => ipsetStages('create a hash:net\nflush a')).toThrow(/line 2: only create and add/);
    expect(() => ipsetStages('create a;reboot hash:net')).toThrow(/bad set name/);
    expect(() => ipsetStages('create a hash:net\nadd a 1.2.3.4/32;id')).toThrow(/line 2/);
  });
});

describe('nat restore split', () => {
  const NAT =
    '*nat\n:cali-POSTROUTING - [0:0]\n:cali-nat-outgoing - [0:0]\n-A cali-POSTROUTING -j cali-nat-outgoing\n-A POSTROUTING -m comment --comment "cali:0i8pjzKKPyA34aQD" -j cali-POSTROUTING\nCOMMIT\n';
  it('puts the table header and chain declarations before the rules', () => {
    const { head, body } = splitNatRestore(NAT);
    expect(head).toBe('*nat\n:cali-POSTROUTING - [0:0]\n:cali-nat-outgoing - [0:0]\n');
    expect(body.startsWith('-A cali-POSTROUTING')).toBe(true);
    expect(body.endsWith('COMMIT\n')).toBe(true);
  });
  it('refuses other tables and a missing COMMIT', () => {
    expect(() => splitNatRestore('*filter\nCOMMIT\n')).toThrow(/\*nat/);
    expect(() => splitNatRestore('*nat\n-A X -j Y\n')).toThrow(/COMMIT/);
    expect(() => splitNatRestore(`${NAT}*nat\nCOMMIT\n`)).toThrow(/exactly one table/);
  });
});

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
      'nat.body',
      'routes.batch',
      'bird.conf',
    ]);
    expect(names('internet')).toEqual(['routes.batch', 'services']);
    expect(names('web-1')).toEqual(['routes.batch']);
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
  it('is a valid shell script', () => {
    execFileSync('sh', ['-n', '-c', APPLY_SCRIPT]);
  });
});
