// A LabPlan realized with plain network namespaces (no Docker, no BIRD) for tests that need
// real packets: the same steps the runtime takes (see src/core/plan/types.ts), plus the routes
// BIRD would install (routerLearned / meshLearned / static blackholes). Hosts (or any
// container) run a UDP echo answering with the source address it saw, as Calico's fv tests do.
// Namespaces are named `<prefix>-<container>` and always removed by cleanup().
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { renderIpsetRestore } from '../../../src/core/dataplane/render-ipset.js';
import { renderIptablesFilter } from '../../../src/core/dataplane/render-filter.js';
import { renderIptablesNat } from '../../../src/core/dataplane/render-nat.js';
import { renderEncap } from '../../../src/core/dataplane/render-encap.js';
import { renderRoutes } from '../../../src/core/dataplane/render-routes.js';
import { EGRESS_NAT_CHAIN } from '../../../src/core/dataplane/perimeter-types.js';
import {
  firewallHooks,
  renderEgressNatRestore,
  renderEgressRouting,
  renderFirewallRestore,
} from '../../../src/core/dataplane/render-perimeter.js';
import { meshLearned, routerLearned } from '../../../src/core/plan/bgp-routes.js';
import { torKernelRoutes } from '../../../src/core/plan/tor-bgp.js';
import type { LabPlan } from '../../../src/core/plan/types.js';

function run(args: string[], input?: string): string {
  return execFileSync(args[0]!, args.slice(1), { input, encoding: 'utf8', stdio: 'pipe' });
}

/** Root, iproute2 with netns and bridges, ipset and iptables-restore: else tests skip. */
export function netnsAvailable(prefix: string): boolean {
  if (process.getuid?.() !== 0) return false;
  if (!['/usr/sbin/ipset', '/usr/sbin/iptables-restore', '/usr/sbin/ip'].every(existsSync))
    return false;
  const probe = `${prefix}-probe`;
  try {
    run(['ip', 'netns', 'add', probe]);
    run(['ip', 'netns', 'exec', probe, 'ip', 'link', 'add', 'br0', 'type', 'bridge']);
    return true;
  } catch {
    return false;
  } finally {
    try {
      run(['ip', 'netns', 'del', probe]);
    } catch {
      /* never created */
    }
  }
}

const SERVER = `const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>{console.log('seen '+r.address);s.send('seen '+r.address,r.port,r.address)});s.bind(+process.argv[1],()=>console.log('ready'));`;
const CLIENT = `const c=require('dgram').createSocket('udp4');let n=0;const go=()=>{if(n++<4)c.send('x',+process.argv[2],process.argv[1])};c.on('message',m=>{console.log(m.toString());process.exit(0)});go();setInterval(go,250);setTimeout(()=>{console.log('timeout');process.exit(0)},1600);`;

export class NetnsLab {
  private created: string[] = [];
  private procs: ChildProcess[] = [];

  constructor(private readonly prefix: string) {}

  ns(name: string): string {
    return `${this.prefix}-${name}`;
  }

  exec(name: string, args: string[], input?: string): string {
    return run(['ip', 'netns', 'exec', this.ns(name), ...args], input);
  }

  /** The firewall and egress gateway parts, as apply.sh applies them to a fresh container. */
  private realizePerimeter(c: LabPlan['containers'][number]): void {
    if (c.firewall) {
      this.exec(c.name, ['iptables-restore', '--noflush'], renderFirewallRestore(c.firewall));
      for (const line of firewallHooks(c.firewall))
        this.exec(c.name, ['iptables', '-A', ...line.split(' ').slice(1)]);
    }
    if (c.egress) {
      this.exec(c.name, ['ip', '-batch', '-'], renderEgressRouting(c.egress));
      this.exec(c.name, ['iptables-restore', '--noflush'], renderEgressNatRestore(c.egress));
      this.exec(c.name, [
        'iptables',
        '-t',
        'nat',
        '-I',
        'POSTROUTING',
        '1',
        '-j',
        EGRESS_NAT_CHAIN,
      ]);
    }
  }

  realize(plan: LabPlan): void {
    for (const c of plan.containers) {
      run(['ip', 'netns', 'add', this.ns(c.name)]);
      this.created.push(this.ns(c.name));
      this.exec(c.name, ['ip', 'link', 'set', 'lo', 'up']);
      for (const [k, v] of Object.entries(c.sysctls))
        this.exec(c.name, ['sysctl', '-qw', `${k}=${v}`]);
      for (const b of c.bridges) this.exec(c.name, ['ip', 'link', 'add', b.name, 'type', 'bridge']);
    }
    for (const l of plan.links) {
      run([
        'ip',
        '-n',
        this.ns(l.a.container),
        'link',
        'add',
        l.a.ifname,
        'type',
        'veth',
        'peer',
        'name',
        l.b.ifname,
        'netns',
        this.ns(l.b.container),
      ]);
      for (const end of [l.a, l.b])
        if (end.mac)
          run(['ip', '-n', this.ns(end.container), 'link', 'set', end.ifname, 'address', end.mac]);
    }
    for (const c of plan.containers) {
      for (const i of c.interfaces) {
        if (i.master) this.exec(c.name, ['ip', 'link', 'set', i.ifname, 'master', i.master]);
        this.exec(c.name, ['ip', 'link', 'set', i.ifname, 'up']);
        for (const a of i.addresses) this.exec(c.name, ['ip', 'addr', 'add', a, 'dev', i.ifname]);
        for (const [k, v] of Object.entries(i.sysctls ?? {}))
          this.exec(c.name, ['sysctl', '-qw', `${k}=${v}`]);
      }
      // Fresh namespaces: the whole restore inputs as the core renders them.
      if (c.dataplane) {
        this.exec(c.name, ['ipset', 'restore'], renderIpsetRestore(c.dataplane.ipsets));
        this.exec(c.name, ['iptables-restore', '--noflush'], renderIptablesNat(c.dataplane.nat));
        if (c.dataplane.filter)
          this.exec(
            c.name,
            ['iptables-restore', '--noflush'],
            renderIptablesFilter(c.dataplane.filter),
          );
      }
      // Tunnels first: routes through vxlan.calico need it (apply.sh's order).
      if (c.dataplane?.encap) {
        const e = renderEncap(c.dataplane.encap);
        for (const line of e.devices.split('\n').filter(Boolean))
          this.exec(c.name, ['ip', ...line.split(' ')]);
        if (e.ipBatch) this.exec(c.name, ['ip', '-batch', '-'], e.ipBatch);
        if (e.fdbBatch) this.exec(c.name, ['bridge', '-batch', '-'], e.fdbBatch);
      }
      if (c.routes.length) this.exec(c.name, ['ip', '-batch', '-'], renderRoutes(c.routes));
      this.realizePerimeter(c);
    }
    // What BIRD would add.
    const tor = plan.lab.router.name;
    for (const r of routerLearned(plan))
      this.exec(tor, ['ip', 'route', 'replace', r.cidr, 'via', r.via]);
    // Top-of-rack routers (plan/tor.ts): their nodes' blocks.
    for (const c of plan.containers.filter((x) => x.torBgp))
      for (const r of torKernelRoutes(plan, c.name))
        this.exec(c.name, ['ip', 'route', 'replace', r.cidr, 'via', r.via]);
    for (const c of plan.containers.filter((x) => x.dataplane)) {
      for (const b of c.dataplane!.bird.staticBlackholes)
        this.exec(c.name, ['ip', 'route', 'replace', 'blackhole', b]);
      for (const r of meshLearned(plan, c.name))
        this.exec(c.name, ['ip', 'route', 'replace', r.cidr, 'via', r.via, 'dev', 'eth0']);
    }
  }

  /** UDP echo in container `name`; `seen` fills with the source addresses it receives from. */
  async startEcho(name: string, port: number): Promise<{ seen: string[] }> {
    const seen: string[] = [];
    const p = spawn(
      'ip',
      ['netns', 'exec', this.ns(name), process.execPath, '-e', SERVER, String(port)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.procs.push(p);
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      p.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const line of lines) {
          if (line.startsWith('seen ')) seen.push(line.slice(5));
          if (line === 'ready') resolve();
        }
      });
      p.on('exit', () => reject(new Error(`echo server in ${name} exited`)));
    });
    return { seen };
  }

  /** Sends a few datagrams from `name`; returns the echo's answer ("seen <addr>") or "timeout". */
  send(name: string, address: string, port: number): string {
    return this.exec(name, [process.execPath, '-e', CLIENT, address, String(port)]).trim();
  }

  /** Runs `node -e script args…` in container `name` in the background; resolves with its stdout when it exits. */
  spawnScript(name: string, script: string, args: string[]): Promise<string> {
    const p = spawn(
      'ip',
      ['netns', 'exec', this.ns(name), process.execPath, '-e', script, ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.procs.push(p);
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    return new Promise((resolve) => p.on('exit', () => resolve(out)));
  }

  cleanup(): void {
    for (const p of this.procs) p.kill('SIGKILL');
    this.procs = [];
    for (const n of this.created) {
      try {
        run(['ip', 'netns', 'del', n]);
      } catch {
        /* already gone */
      }
    }
    this.created = [];
  }

  /** Removes every namespace with this prefix (a test that died half-way). */
  sweep(): void {
    let list: string;
    try {
      list = run(['ip', 'netns', 'list']);
    } catch {
      return;
    }
    for (const line of list.split('\n')) {
      const name = line.split(' ')[0] ?? '';
      if (name.startsWith(`${this.prefix}-`)) run(['ip', 'netns', 'del', name]);
    }
  }
}
