// The plan realized with plain network namespaces (no Docker, no BIRD) and real packets:
// explain's prediction of the source a host sees and whether the reply returns must match
// what the kernel does. BGP is emulated by installing the routes the BIRD configurations
// would produce (routerLearned / meshLearned / static blackholes). Hosts run a UDP echo that
// answers with the source address it saw, as Calico's own fv tests do (ExpectSNAT).
// Skipped unless root with `ip netns` and the ipset/iptables tools.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { explain } from '../../../src/core/explain/explain.js';
import type { Lab } from '../../../src/core/model/lab.js';
import { meshLearned, routerLearned } from '../../../src/core/plan/bgp-routes.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { LabPlan } from '../../../src/core/plan/types.js';
import { felix, makeLab, node, peer, pool } from '../helpers/lab.js';

const PREFIX = `egl${process.pid % 100000}`;

function canRun(): boolean {
  if (process.getuid?.() !== 0) return false;
  if (!['/usr/sbin/ipset', '/usr/sbin/iptables-restore', '/usr/sbin/ip'].every(existsSync))
    return false;
  try {
    execFileSync('ip', ['netns', 'add', `${PREFIX}-probe`], { stdio: 'pipe' });
    execFileSync(
      'ip',
      ['netns', 'exec', `${PREFIX}-probe`, 'ip', 'link', 'add', 'br0', 'type', 'bridge'],
      { stdio: 'pipe' },
    );
    return true;
  } catch {
    return false;
  } finally {
    try {
      execFileSync('ip', ['netns', 'del', `${PREFIX}-probe`], { stdio: 'pipe' });
    } catch {
      /* not created */
    }
  }
}

const ns = (name: string) => `${PREFIX}-${name}`;
function run(args: string[], input?: string): string {
  return execFileSync(args[0]!, args.slice(1), { input, encoding: 'utf8', stdio: 'pipe' });
}
function inNs(name: string, args: string[], input?: string): string {
  return run(['ip', 'netns', 'exec', ns(name), ...args], input);
}

// Safety net: whatever this process created and a failed test left behind.
afterAll(() => {
  let list: string;
  try {
    list = run(['ip', 'netns', 'list']);
  } catch {
    return;
  }
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    if (name.startsWith(`${PREFIX}-`)) run(['ip', 'netns', 'del', name]);
  }
});

let created: string[] = [];
let procs: ChildProcess[] = [];
afterEach(() => {
  for (const p of procs) p.kill('SIGKILL');
  procs = [];
  for (const n of created) {
    try {
      run(['ip', 'netns', 'del', n]);
    } catch {
      /* already gone */
    }
  }
  created = [];
});

/** Build the plan the way the runtime will, plus the routes BIRD would install. */
function realize(plan: LabPlan): void {
  for (const c of plan.containers) {
    run(['ip', 'netns', 'add', ns(c.name)]);
    created.push(ns(c.name));
    inNs(c.name, ['ip', 'link', 'set', 'lo', 'up']);
    for (const [k, v] of Object.entries(c.sysctls)) inNs(c.name, ['sysctl', '-qw', `${k}=${v}`]);
    for (const b of c.bridges) inNs(c.name, ['ip', 'link', 'add', b.name, 'type', 'bridge']);
  }
  for (const l of plan.links) {
    run([
      'ip',
      '-n',
      ns(l.a.container),
      'link',
      'add',
      l.a.ifname,
      'type',
      'veth',
      'peer',
      'name',
      l.b.ifname,
      'netns',
      ns(l.b.container),
    ]);
    for (const end of [l.a, l.b])
      if (end.mac)
        run(['ip', '-n', ns(end.container), 'link', 'set', end.ifname, 'address', end.mac]);
  }
  for (const c of plan.containers) {
    for (const i of c.interfaces) {
      if (i.master) inNs(c.name, ['ip', 'link', 'set', i.ifname, 'master', i.master]);
      inNs(c.name, ['ip', 'link', 'set', i.ifname, 'up']);
      for (const a of i.addresses) inNs(c.name, ['ip', 'addr', 'add', a, 'dev', i.ifname]);
      for (const [k, v] of Object.entries(i.sysctls ?? {}))
        inNs(c.name, ['sysctl', '-qw', `${k}=${v}`]);
    }
    if (c.rendered.ipsetRestore) inNs(c.name, ['ipset', 'restore'], c.rendered.ipsetRestore);
    if (c.rendered.iptablesNat)
      inNs(c.name, ['iptables-restore', '--noflush'], c.rendered.iptablesNat);
    if (c.rendered.routes) inNs(c.name, ['ip', '-batch', '-'], c.rendered.routes);
  }
  // What BIRD would add.
  const tor = plan.lab.router.name;
  for (const r of routerLearned(plan)) inNs(tor, ['ip', 'route', 'replace', r.cidr, 'via', r.via]);
  for (const c of plan.containers.filter((x) => x.dataplane)) {
    for (const b of c.dataplane!.bird.staticBlackholes)
      inNs(c.name, ['ip', 'route', 'replace', 'blackhole', b]);
    for (const r of meshLearned(plan, c.name))
      inNs(c.name, ['ip', 'route', 'replace', r.cidr, 'via', r.via, 'dev', 'eth0']);
  }
}

const SERVER = `const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>{console.log('seen '+r.address);s.send('seen '+r.address,r.port,r.address)});s.bind(+process.argv[1],()=>console.log('ready'));`;
const CLIENT = `const c=require('dgram').createSocket('udp4');let n=0;const go=()=>{if(n++<4)c.send('x',+process.argv[2],process.argv[1])};c.on('message',m=>{console.log(m.toString());process.exit(0)});go();setInterval(go,250);setTimeout(()=>{console.log('timeout');process.exit(0)},1600);`;

async function startEcho(host: string, port: number): Promise<{ seen: string[] }> {
  const seen: string[] = [];
  const p = spawn('ip', ['netns', 'exec', ns(host), process.execPath, '-e', SERVER, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.push(p);
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    p.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) if (line.startsWith('seen ')) seen.push(line.slice(5));
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
      if (d.toString().includes('ready')) resolve();
    });
    p.on('exit', () => reject(new Error(`echo server on ${host} exited`)));
  });
  return { seen };
}

function sendFrom(pod: string, address: string, port: number): string {
  return inNs(pod, [process.execPath, '-e', CLIENT, address, String(port)]).trim();
}

async function check(lab: Lab, podName: string, target: string): Promise<void> {
  const plan = planLab(lab);
  realize(plan);
  const host = lab.hosts.find((h) => h.name === target);
  const address = host?.address ?? explain(plan, podName, target).destination;
  const port = host?.udpPorts[0] ?? 8081;
  const echo = await startEcho(target, port);
  const out = sendFrom(podName, address, port);
  await new Promise((r) => setTimeout(r, 100));
  const e = explain(plan, podName, target, { protocol: 'udp' });
  expect(echo.seen[0], `source seen by ${target}`).toBe(e.seenSource);
  expect(out.startsWith('seen '), `reply back at ${podName}: ${out}`).toBe(e.reply);
}

const noNat = [pool('default-ipv4-ippool', '192.168.0.0/16')];

describe.skipIf(!canRun())('plan realized in network namespaces agrees with explain', () => {
  test('natOutgoing true: internet sees the node, reply returns', async () => {
    await check(makeLab(), 'web-1', 'internet');
  });
  test('natOutgoing false, no BGP: internet sees the pod, no reply', async () => {
    await check(makeLab({ ipPools: noNat }), 'web-1', 'internet');
  });
  test('natOutgoing false, BGP to the router: pod seen, reply returns (routes as BIRD would install)', async () => {
    await check(
      makeLab({ ipPools: noNat, bgpPeers: [peer('tor', '172.30.0.1', 64500, { node: 'node-1' })] }),
      'db-1',
      'internet',
    );
  });
  test('disabled 10.0.0.0/8 pool: corp sees the pod', async () => {
    await check(
      makeLab({
        ipPools: [
          pool('default-ipv4-ippool', '192.168.0.0/16', { natOutgoing: true }),
          pool('no-nat', '10.0.0.0/8', { disabled: true }),
        ],
      }),
      'web-1',
      'corp',
    );
  });
  test('pod to the other node: masqueraded by default, kept with natOutgoingExclusions IPPoolsAndHostIPs', async () => {
    await check(makeLab(), 'web-1', 'node-2');
  });
  test('natOutgoingExclusions IPPoolsAndHostIPs: node-2 sees the pod address', async () => {
    await check(
      makeLab({ felixConfiguration: felix({ natOutgoingExclusions: 'IPPoolsAndHostIPs' }) }),
      'web-1',
      'node-2',
    );
  });
  test('pod to pod across nodes over the mesh routes: never NATed', async () => {
    await check(makeLab(), 'web-1', 'db-1');
  });
  test('natOutgoingAddress on a second address of node-1: SNAT to it, reply returns', async () => {
    const lab = makeLab({
      nodes: [
        node('node-1', '172.30.0.11', { extraAddresses: ['172.30.0.111/24'] }),
        node('node-2', '172.30.0.12'),
      ],
      felixConfiguration: felix({
        natOutgoingAddress: '172.30.0.111',
        natPortRange: '40000:40100',
      }),
    });
    await check(lab, 'web-1', 'internet');
  });
});
