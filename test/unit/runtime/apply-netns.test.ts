// The apply script itself (src/runtime/agent/apply.sh), run for real in a network namespace
// with real ipset, iptables-restore, ip and, where installed, BIRD and socat, on the input the
// runtime renders from a plan (apply-input.ts). This is the lab's one NAT reconciler: the
// deletion of our previous hooks and the rewrite of our chains in one transaction.
// Needs root and iproute2/iptables/ipset (else skipped; BIRD and socat parts skip on their own).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { renderIptablesSave } from '../../../src/core/dataplane/render-nat.js';
import type { NatTable } from '../../../src/core/dataplane/types.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { ContainerPlan } from '../../../src/core/plan/types.js';
import { applyInputFiles, type ApplyInputOptions } from '../../../src/runtime/agent/apply-input.js';
import { birdAvailable, runApply, startedPids, type ApplyRun } from '../helpers/apply-netns.js';
import { felix, makeLab, pool } from '../helpers/lab.js';
import { netnsAvailable } from '../helpers/netns.js';

const NS = `egl-apply-${process.pid}`;
const HOOK = 'cali:0i8pjzKKPyA34aQD';
const DOCKER_MASQ = '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE';

let root = '';

function inNs(cmd: string[], input?: string): string {
  return execFileSync('ip', ['netns', 'exec', NS, ...cmd], { input, encoding: 'utf8' });
}

function container(name: string, over: Parameters<typeof makeLab>[0] = {}): ContainerPlan {
  return planLab(makeLab(over)).containers.find((c) => c.name === name)!;
}
const natOn = (): ContainerPlan => container('node-1');
const natOff = (): ContainerPlan =>
  container('node-1', { ipPools: [pool('default-ipv4-ippool', '192.168.0.0/16')] });

function apply(c: ContainerPlan, opts: ApplyInputOptions = {}): ApplyRun {
  return runApply(NS, root, applyInputFiles(c, opts));
}
function applyOk(c: ContainerPlan, opts: ApplyInputOptions = {}): void {
  const r = apply(c, opts);
  expect(r, r.stderr).toMatchObject({ status: 0, stdout: 'applied\n' });
}

/** The nat table as iptables-save lists it, without the comment lines and counters. */
function natSave(): string {
  return inNs(['iptables-save', '-t', 'nat'])
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/ \[\d+:\d+\]$/, ' [0:0]'))
    .join('\n');
}
/** Only what the lab owns: our chains and our rules in kernel chains. */
function ourSave(): string {
  return natSave()
    .split('\n')
    .filter((l) =>
      /^\*|^COMMIT|^:POSTROUTING |^:(cali-|egress-lab)|^-A .*(cali|egress-lab)/.test(l),
    )
    .join('\n')
    .trim();
}
const hooks = (): number => natSave().split(HOOK).length - 1;
const members = (set: string): string[] =>
  inNs(['ipset', 'list', set]).split('Members:\n')[1]!.trim().split('\n').filter(Boolean).sort();
const setNames = (): string[] =>
  inNs(['ipset', 'list', '-n']).trim().split('\n').filter(Boolean).sort();

/** The node's interfaces as veth ends, so its routes have their devices. */
function addInterfaces(c: ContainerPlan): void {
  c.interfaces.forEach((i, k) => {
    inNs(['ip', 'link', 'add', i.ifname, 'type', 'veth', 'peer', 'name', `peer${k}`]);
    inNs(['ip', 'link', 'set', `peer${k}`, 'up']);
    for (const a of i.addresses) inNs(['ip', 'addr', 'add', a, 'dev', i.ifname]);
    inNs(['ip', 'link', 'set', i.ifname, 'up']);
  });
}

/** A plan's nat table with one more rule in cali-nat-outgoing. */
function withRule(c: ContainerPlan, target: string): ContainerPlan {
  const nat: NatTable = {
    ...c.dataplane!.nat,
    chains: c.dataplane!.nat.chains.map((ch) =>
      ch.name === 'cali-nat-outgoing'
        ? { ...ch, rules: [...ch.rules, { match: [], action: { kind: 'jump', target } }] }
        : ch,
    ),
  };
  return { ...c, dataplane: { ...c.dataplane!, nat } };
}

describe.skipIf(!netnsAvailable(NS))('apply.sh in a network namespace', () => {
  beforeEach(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    inNs(['ip', 'link', 'set', 'lo', 'up']);
    root = mkdtempSync(join(tmpdir(), 'egl-apply-'));
    addInterfaces(natOn()); // node-1's eth0 and pod veths: its routes need them
  });
  afterEach(() => {
    for (const pid of startedPids(root)) {
      try {
        process.kill(pid);
      } catch {
        /* already gone */
      }
    }
    execFileSync('ip', ['netns', 'del', NS]);
    rmSync(root, { recursive: true, force: true });
  });

  test('fresh apply (as up does it): sets, rules, routes; exactly the plan', () => {
    const c = natOn();
    applyOk(c, { full: true, fresh: true });
    expect(ourSave()).toBe(renderIptablesSave(c.dataplane!.nat).trim());
    expect(hooks()).toBe(1);
    expect(members('cali40masq-ipam-pools')).toEqual(['192.168.0.0/16']);
    expect(setNames()).toEqual(['cali40all-ipam-pools', 'cali40masq-ipam-pools']); // no temporaries
    const routes = inNs(['ip', 'route', 'show']);
    expect(routes).toContain('default via 172.30.0.1 dev eth0');
    for (const r of c.dataplane!.routes.filter((x) => x.dev?.startsWith('cali')))
      expect(routes).toContain(`${r.dst.replace('/32', '')} dev ${r.dev} scope link`);
    expect(c.dataplane!.routes.some((x) => x.dev?.startsWith('cali'))).toBe(true);
  });

  test('re-applied any way (toggle, full, as a restarted up): one hook, the same table', () => {
    const c = natOn();
    applyOk(c, { full: true, fresh: true });
    const first = natSave();
    applyOk(c); // a live change: trusts what the last apply left
    applyOk(c, { full: true }); // up: checks against the kernel
    applyOk(c);
    expect(hooks()).toBe(1);
    expect(natSave()).toBe(first);
  });

  test('a hook duplicated by hand (or an old blind apply) is repaired by the next full apply', () => {
    const c = natOn();
    applyOk(c, { full: true, fresh: true });
    inNs([
      'iptables',
      '-t',
      'nat',
      '-A',
      'POSTROUTING',
      '-m',
      'comment',
      '--comment',
      HOOK,
      '-j',
      'cali-POSTROUTING',
    ]);
    expect(hooks()).toBe(2);
    applyOk(c, { full: true });
    expect(hooks()).toBe(1);
    expect(ourSave()).toBe(renderIptablesSave(c.dataplane!.nat).trim());
  });

  test('natOutgoing off and on: set members and the MASQUERADE rule swap, the hook stays one', () => {
    applyOk(natOn(), { full: true, fresh: true });
    applyOk(natOff());
    expect(members('cali40masq-ipam-pools')).toEqual([]);
    expect(natSave()).not.toContain('MASQUERADE');
    expect(ourSave()).toBe(renderIptablesSave(natOff().dataplane!.nat).trim());
    applyOk(natOn());
    expect(members('cali40masq-ipam-pools')).toEqual(['192.168.0.0/16']);
    expect(ourSave()).toBe(renderIptablesSave(natOn().dataplane!.nat).trim());
    expect(hooks()).toBe(1);
    expect(setNames().filter((s) => s.startsWith('egl-tmp-'))).toEqual([]);
  });

  test('a rule set iptables refuses: exit 3, previous rules and set members kept', () => {
    applyOk(natOn(), { full: true, fresh: true });
    const [rules, sets] = [natSave(), inNs(['ipset', 'save'])];
    // natOff would empty the masq set; its broken rule must stop that too.
    for (const opts of [{}, { full: true }]) {
      const r = apply(withRule(natOff(), 'NO-SUCH-TARGET'), opts);
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/^rejected: iptables/);
      expect(natSave()).toBe(rules);
      expect(inNs(['ipset', 'save'])).toBe(sets); // no temporaries left either
    }
    applyOk(natOff()); // and a good plan still applies
    expect(members('cali40masq-ipam-pools')).toEqual([]);
  });

  test('a set ipset refuses: exit 3 before any rule changes', () => {
    applyOk(natOn(), { full: true, fresh: true });
    const [rules, sets] = [natSave(), inNs(['ipset', 'save'])];
    const c = natOff();
    const bad: ContainerPlan = {
      ...c,
      dataplane: {
        ...c.dataplane!,
        ipsets: c.dataplane!.ipsets.map((s) => ({ ...s, members: ['300.1.2.0/24'] })),
      },
    };
    const r = apply(bad);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^rejected: ipset/);
    expect(natSave()).toBe(rules);
    expect(inNs(['ipset', 'save'])).toBe(sets);
  });

  test("others' rules in the kernel chains (Docker's MASQUERADE) stay, in place and once", () => {
    inNs([
      'iptables',
      '-t',
      'nat',
      ...DOCKER_MASQ.slice(3)
        .split(' ')
        .flatMap((w, i) => (i === 0 ? ['-A', w] : [w])),
    ]);
    inNs([
      'iptables',
      '-t',
      'nat',
      '-A',
      'OUTPUT',
      '-m',
      'comment',
      '--comment',
      'not-ours',
      '-j',
      'RETURN',
    ]);
    const foreign = (): string[] =>
      natSave()
        .split('\n')
        .filter((l) => l === DOCKER_MASQ || l.includes('not-ours'));
    expect(foreign()).toHaveLength(2);
    applyOk(natOn(), { full: true });
    applyOk(natOff());
    applyOk(natOn(), { full: true });
    expect(foreign().sort()).toEqual([
      '-A OUTPUT -m comment --comment not-ours -j RETURN',
      DOCKER_MASQ,
    ]);
    // Docker's rule is still first: ours were appended after it.
    const post = natSave()
      .split('\n')
      .filter((l) => l.startsWith('-A POSTROUTING'));
    expect(post[0]).toBe(DOCKER_MASQ);
    expect(post).toHaveLength(2);
  });

  test('sets the plan dropped are destroyed; sets that are not cali sets are left', () => {
    const withHosts = container('node-1', {
      felixConfiguration: felix({ natOutgoingExclusions: 'IPPoolsAndHostIPs' }),
    });
    expect(withHosts.dataplane!.ipsets.map((s) => s.name)).toContain('cali40all-hosts-net');
    inNs(['ipset', 'create', 'docker-own', 'hash:ip']);
    applyOk(withHosts, { full: true, fresh: true });
    expect(setNames()).toContain('cali40all-hosts-net');
    applyOk(natOn());
    expect(setNames()).toEqual(['cali40all-ipam-pools', 'cali40masq-ipam-pools', 'docker-own']);
    expect(ourSave()).toBe(renderIptablesSave(natOn().dataplane!.nat).trim());
  });

  test('input that is not a tar: exit 2, nothing applied; an empty tar is an empty apply', () => {
    const r = runApply(NS, root, Buffer.from('not a tar\n'.repeat(100)));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cannot unpack the apply input');
    expect(natSave()).not.toContain('cali');
    expect(runApply(NS, root, [])).toMatchObject({ status: 0, stdout: 'applied\n' });
  });

  describe.skipIf(!birdAvailable())('BIRD', () => {
    const birdc = (cmd: string[]): string =>
      inNs(['birdc', '-s', join(root, 'run/bird/bird.ctl'), ...cmd]);

    test('starts with sessions disabled, enables them by configure; a bad config is refused', () => {
      const c = natOn();
      applyOk(c, { full: true, fresh: true, birdSessionsDisabled: true });
      const mesh = c.dataplane!.bird.peers.find((p) => p.kind === 'mesh')!.name;
      expect(birdc(['show', 'protocols', mesh])).toMatch(
        new RegExp(`${mesh}\\s+BGP\\s+\\S+\\s+down`),
      );
      const pid = startedPids(root)[0];
      applyOk(c, { full: true }); // the real config: birdc configure
      expect(birdc(['show', 'protocols', mesh])).toMatch(
        new RegExp(`${mesh}\\s+BGP\\s+\\S+\\s+start`),
      );
      expect(startedPids(root)[0]).toBe(pid); // reconfigured, not restarted

      const files = applyInputFiles(natOff()).map((f) =>
        f.name === 'bird.conf'
          ? { ...f, content: `${f.content.toString()}protocol nonsense {}\n` }
          : f,
      );
      const rules = natSave();
      const r = runApply(NS, root, files);
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/^rejected: bird config/);
      expect(natSave()).toBe(rules); // natOff's rules did not go in
      expect(members('cali40masq-ipam-pools')).toEqual(['192.168.0.0/16']);
    });
  });

  describe.skipIf(!existsSync('/usr/bin/socat'))('services', () => {
    test('echo servers start once and answer with the address they saw', () => {
      const host = container('internet');
      applyOk(host, { full: true, fresh: true, skipRoutes: true });
      const pids = startedPids(root);
      expect(pids).toHaveLength(2);
      applyOk(host, { skipRoutes: true });
      expect(startedPids(root)).toEqual(pids); // still running: not started again
      const answer = inNs([
        process.execPath,
        '-e',
        `const s=require('net').connect(8080,'127.0.0.1',()=>s.write('hi\\n'));let b='';const end=()=>{console.log(b);process.exit(0)};s.on('data',d=>{b+=d;if(b.includes('hi'))end()});setTimeout(end,3000)`,
      ]);
      expect(answer).toContain('seen 127.0.0.1');
      expect(answer).toContain('hi');
    });
  });
});
