import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { LinkSpec } from '../../../src/core/plan/types.js';
import {
  CARRIER_WAIT,
  CONFIGURE,
  PID_CHECK,
  renderWiring,
} from '../../../src/runtime/wiring/render.js';
import {
  interfaceSysctls,
  stableMac,
  sysctlPath,
  vethOf,
} from '../../../src/runtime/wiring/steps.js';
import { wiringScript, type WiringContainer } from '../../../src/runtime/wiring/wiring-script.js';

/** A container ID as the engine gives it (64 hex digits), fixed per name. */
const cid = (name: string): string => createHash('sha256').update(name).digest('hex');
const containers: WiringContainer[] = [
  {
    name: 'tor',
    pid: 100,
    id: cid('tor'),
    bridges: [{ name: 'br0' }],
    interfaces: [
      { ifname: 'br0', addresses: ['172.30.0.1/24'] },
      { ifname: 'f-node-1', addresses: [], master: 'br0' },
    ],
  },
  {
    name: 'node-1',
    pid: 200,
    id: cid('node-1'),
    bridges: [],
    interfaces: [
      { ifname: 'eth0', addresses: ['172.30.0.11/24', '172.30.0.21/24'] },
      { ifname: 'cali0761ccbeace', addresses: [], proxyArp: true },
    ],
  },
  {
    name: 'web-1',
    pid: 300,
    id: cid('web-1'),
    bridges: [],
    interfaces: [{ ifname: 'eth0', addresses: ['192.168.0.0/32'] }],
  },
];
const fabric: LinkSpec = {
  a: { container: 'node-1', ifname: 'eth0' },
  b: { container: 'tor', ifname: 'f-node-1' },
};
const pod: LinkSpec = {
  a: { container: 'node-1', ifname: 'cali0761ccbeace', mac: 'ee:ee:ee:ee:ee:ee' },
  b: { container: 'web-1', ifname: 'eth0' },
};

interface StubbedRun {
  status: number | null;
  stderr: string;
  log: string; // every stubbed command, one line each
  calls: Record<number, { argv: string; stdin: string }[]>; // nsenter calls by target PID, in order
}

/**
 * Runs a wiring script in a real shell with `ip`, `nsenter`, `mount` and `birdc` replaced
 * by stubs that record their arguments and input; `failPid`: nsenter into it fails. The
 * PID check is a stub too (the PIDs here are made up), unless `realPidCheck`.
 */
function stubbedRun(script: string, failPid?: number, realPidCheck = false): StubbedRun {
  const dir = mkdtempSync(join(tmpdir(), 'wiring-stub-'));
  try {
    const stub = (name: string, body: string): void => {
      writeFileSync(join(dir, name), `#!/bin/sh\necho "${name} $*" >> "${dir}/log"\n${body}\n`);
      chmodSync(join(dir, name), 0o755);
    };
    stub('ip', 'cat > /dev/null');
    stub('mount', ':');
    stub('birdc', '[ -S "$2" ] || { echo "birdc: no socket at $2" >&2; exit 1; }');
    stub(
      'nsenter',
      `n=$(ls "${dir}" | grep -c "^argv\\.$2\\.") || true
echo "$*" > "${dir}/argv.$2.$n"; cat > "${dir}/stdin.$2.$n"; [ "$2" != "${failPid ?? -1}" ]`,
    );
    if (!realPidCheck) {
      expect(script).toContain(PID_CHECK.trimEnd());
      script = script.replace(
        PID_CHECK.trimEnd(),
        `ownsPid() { echo "ownsPid $*" >> "${dir}/log"; }`,
      );
    }
    const r = spawnSync('sh', ['-c', script], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
      encoding: 'utf8',
    });
    const calls: StubbedRun['calls'] = {};
    for (const f of readdirSync(dir).filter((n) => n.startsWith('argv.'))) {
      const [, pid, n] = f.split('.');
      (calls[Number(pid)] ??= [])[Number(n)] = {
        argv: readFileSync(join(dir, f), 'utf8').trim(),
        stdin: readFileSync(join(dir, `stdin.${pid}.${n}`), 'utf8'),
      };
    }
    let log = '';
    try {
      log = readFileSync(join(dir, 'log'), 'utf8');
    } catch {
      // nothing ran
    }
    return { status: r.status, stderr: r.stderr, log, calls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('wiring script', () => {
  it('creates fresh veth pairs straight into both namespaces in one ip -batch', () => {
    const s = wiringScript(containers, [
      { link: fabric, verify: false },
      { link: pod, verify: false },
    ]);
    const batch = s
      .split("ip -batch - <<'EGRESS_LAB_EOF'\n")[1]!
      .split('\nEGRESS_LAB_EOF')[0]!
      .split('\n');
    expect(batch).toEqual([
      `link add name eth0 address ${stableMac('node-1', 'eth0')} netns /proc/200/ns/net type veth peer name f-node-1 address ${stableMac('tor', 'f-node-1')} netns /proc/100/ns/net`,
      `link add name cali0761ccbeace address ee:ee:ee:ee:ee:ee netns /proc/200/ns/net type veth peer name eth0 address ${stableMac('web-1', 'eth0')} netns /proc/300/ns/net`,
    ]);
    execFileSync('sh', ['-n', '-c', s]); // syntax
  });

  it('gives the ends of a link between new containers indexes that differ from each other', () => {
    const fresh = containers.map((c) => ({ ...c, fresh: true }));
    const s = wiringScript(fresh, [
      { link: fabric, verify: false },
      { link: pod, verify: false },
    ]);
    const lines = s.split('\n').filter((l) => l.includes(' type veth peer '));
    const indexes = lines.map((l) => [...l.matchAll(/ index (\d+) /g)].map((m) => Number(m[1])));
    expect(indexes).toEqual([
      [2, 3],
      [4, 5],
    ]);
    // A reused container: the kernel picks (its namespace has interfaces already).
    const mixed = wiringScript(
      [containers[0]!, { ...containers[1]!, fresh: true }],
      [{ link: fabric, verify: false }],
    );
    expect(mixed).not.toMatch(/ index \d+ /);
  });

  it('configures every container in a real shell, then waits for each one’s links: bridge first, addresses in order, proxy ARP with no delay', () => {
    const fresh = containers.map((c) => ({ ...c, fresh: true }));
    const run = stubbedRun(wiringScript(fresh, [{ link: fabric, verify: false }]));
    expect(run.status, run.stderr).toBe(0);
    // Before anything enters a namespace, each PID is checked against its container.
    const log = run.log.split('\n');
    expect(
      log.slice(
        0,
        log.findIndex((l) => !l.startsWith('ownsPid ')),
      ),
    ).toEqual([
      `ownsPid 100 ${cid('tor')} tor`,
      `ownsPid 200 ${cid('node-1')} node-1`,
      `ownsPid 300 ${cid('web-1')} web-1`,
    ]);
    // tor: the bridge is added in its batch (new container), before its port joins it
    const [torConf, torWait] = run.calls[100]!;
    expect(torConf!.argv).toBe('-t 100 -n ip -batch -');
    const tor = torConf!.stdin.split('\n');
    expect(tor[0]).toBe('link add name br0 type bridge');
    expect(tor.indexOf('link set dev f-node-1 master br0')).toBeGreaterThan(0);
    expect(tor).toContain(`link set dev br0 address ${stableMac('tor', 'br0')}`);
    // then the wait for its links, once every container was configured
    expect(torWait!.argv).toMatch(/^-t 100 -n sh -c .* sh br0 f-node-1$/s);
    // node-1: sysctls and its batch under one nsenter
    const [nodeConf, nodeWait] = run.calls[200]!;
    expect(nodeConf!.argv).toMatch(
      / sh \/tmp\/egress-lab-proc net\/ipv4\/conf\/cali0761ccbeace\/proxy_arp 1 net\/ipv4\/neigh\/cali0761ccbeace\/proxy_delay 0$/,
    );
    expect(nodeConf!.stdin).toMatch(
      /addr replace 172\.30\.0\.11\/24 dev eth0\naddr replace 172\.30\.0\.21\/24 dev eth0\n/,
    );
    expect(nodeWait!.argv).toMatch(/ sh eth0 cali0761ccbeace$/);
    expect(run.calls[300]![0]!.stdin).toContain('addr replace 192.168.0.0/32 dev eth0');
    expect(run.log).toContain('mount -t proc proc /tmp/egress-lab-proc');
  });

  it('runs at most 16 containers’ jobs at once, and every one of a big lab', () => {
    const many: WiringContainer[] = Array.from({ length: 40 }, (_, i) => ({
      name: `web-${i}`,
      pid: 1000 + i,
      id: cid(`web-${i}`),
      bridges: [],
      interfaces: [{ ifname: 'eth0', addresses: [`192.168.0.${i}/32`] }],
    }));
    const s = wiringScript(many, []);
    // two phases of three rounds each (16, 16, 8), each round waited for
    expect(s.match(/for p in \$pids; do wait "\$p" \|\| rc=1; done/g)).toHaveLength(6);
    const run = stubbedRun(s);
    expect(run.status, run.stderr).toBe(0);
    for (let i = 0; i < 40; i++) expect(run.calls[1000 + i], `web-${i}`).toHaveLength(2);
  });

  it('writes the sysctls and runs the batch in a container', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wiring-conf-'));
    try {
      mkdirSync(join(dir, 'proc/sys/net/ipv4/conf/cali1'), { recursive: true });
      writeFileSync(join(dir, 'ip'), `#!/bin/sh\n[ "$1" = -batch ] && cat > "${dir}/batch"\n`);
      chmodSync(join(dir, 'ip'), 0o755);
      const r = spawnSync(
        'sh',
        ['-c', CONFIGURE, 'sh', join(dir, 'proc'), 'net/ipv4/conf/cali1/proxy_arp', '1'],
        {
          input: 'addr replace 10.0.0.1/24 dev eth0\n',
          env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
          encoding: 'utf8',
        },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(join(dir, 'proc/sys/net/ipv4/conf/cali1/proxy_arp'), 'utf8')).toBe('1\n');
      expect(readFileSync(join(dir, 'batch'), 'utf8')).toBe('addr replace 10.0.0.1/24 dev eth0\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('waits until every interface carries traffic: up, bridge ports forwarding; bounded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wiring-carrier-'));
    try {
      // `ip -d -o link show` lists line n of every file dir/state.* on its nth call (the
      // last line repeats): the kernel taking the carrier changes up meanwhile.
      writeFileSync(
        join(dir, 'ip'),
        `#!/bin/sh
n=$(cat "${dir}/polls" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "${dir}/polls"
for f in "${dir}"/state.*; do
  line=$(sed -n "\${n}p" "$f"); [ -n "$line" ] || line=$(tail -n 1 "$f"); echo "$line"
done
`,
      );
      writeFileSync(join(dir, 'sleep'), '#!/bin/sh\n');
      chmodSync(join(dir, 'ip'), 0o755);
      chmodSync(join(dir, 'sleep'), 0o755);
      const states = (name: string, lines: string[]): void =>
        writeFileSync(join(dir, `state.${name}`), lines.join('\n') + '\n');
      const job = (ifnames: string[]) =>
        spawnSync('sh', ['-c', CARRIER_WAIT, 'sh', ...ifnames], {
          env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
          encoding: 'utf8',
        });
      states('lo', ['1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN mode DEFAULT']);
      states('eth0', [
        '2: eth0@if3: <NO-CARRIER,UP> state LOWERLAYERDOWN mode',
        '2: eth0@if3: <UP,LOWER_UP> state UP mode',
      ]);
      states('port', [
        '3: port@if4: <UP,LOWER_UP> state UP mode DEFAULT bridge_slave state disabled priority 32',
        '3: port@if4: <UP,LOWER_UP> state UP mode DEFAULT bridge_slave state forwarding priority 32',
      ]);
      const r = job(['eth0', 'port']);
      expect(r.status, r.stderr).toBe(0);
      // polled until eth0 was up and the port forwarding (lo is none of its business)
      expect(readFileSync(join(dir, 'polls'), 'utf8')).toBe('2\n');

      // Already up: one look. A link that never comes up: the job gives up after its
      // bound, without failing.
      rmSync(join(dir, 'polls'));
      states('eth0', ['2: eth0@if3: <UP,LOWER_UP> state UP mode']);
      expect(job(['eth0']).status).toBe(0);
      expect(readFileSync(join(dir, 'polls'), 'utf8')).toBe('1\n');
      // Hundreds of polls: a stub that forks once per poll (cat), so that the test stays
      // quick on a loaded 2-core machine (the sed stub above timed out there).
      writeFileSync(
        join(dir, 'ip'),
        `#!/bin/sh\necho >> "${dir}/polls.dead"\ncat "${dir}/state.eth0" "${dir}/state.dead"\n`,
      );
      states('dead', ['4: dead@if5: <NO-CARRIER,UP> state LOWERLAYERDOWN mode']);
      expect(job(['eth0', 'dead']).status).toBe(0);
      const polls = readFileSync(join(dir, 'polls.dead'), 'utf8').split('\n').length - 1;
      expect(polls).toBeGreaterThan(100);
      expect(polls).toBeLessThan(1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('looks a bridge up before adding it in a reused container', () => {
    const s = wiringScript(containers, [{ link: fabric, verify: false }]);
    expect(s).toContain(
      'nsenter -t 100 -n ip link show dev br0 >/dev/null 2>&1 || nsenter -t 100 -n ip link add name br0 type bridge',
    );
    expect(s).not.toMatch(/^link add name br0 type bridge$/m);
  });

  it('fails when one container fails, naming it, after every job has ended', () => {
    const run = stubbedRun(wiringScript(containers, [{ link: fabric, verify: false }]), 300);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('egress-lab wiring failed at: web-1');
    // the others were configured; nobody waited for links after the failure
    expect(run.calls[200]).toHaveLength(1);
    expect(run.calls[100]!.length).toBeGreaterThan(0);
    const all = Object.values(run.calls).flat();
    expect(all.filter((c) => c.argv.includes('state UP'))).toEqual([]);
  });

  it('enables the sessions of new BIRDs once their control socket is there, config in place', () => {
    const root = mkdtempSync(join(tmpdir(), 'wiring-bird-'));
    try {
      // /proc/PID/root of the containers, as the helper sees them
      const s = wiringScript(
        [{ ...containers[1]!, bird: 'router id 1.2.3.4;\nEGRESS_LAB_EOF\n' }],
        [],
      ).replaceAll('/proc/200/root', `${root}/c200`);
      mkdirSync(join(root, 'c200/etc/bird'), { recursive: true });
      mkdirSync(join(root, 'c200/run/bird'), { recursive: true });
      // The socket appears 0.2 s after the script starts (the container's apply still running).
      const late = `(sleep 0.2; python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' ${root}/c200/run/bird/bird.ctl) &`;
      const run = stubbedRun(`${late}\n${s}`);
      expect(run.status).toBe(0);
      expect(readFileSync(join(root, 'c200/etc/bird/bird.conf'), 'utf8')).toBe(
        'router id 1.2.3.4;\nEGRESS_LAB_EOF\n',
      );
      expect(run.log).toContain(`birdc -s ${root}/c200/run/bird/bird.ctl enable all`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps intact pairs between reused containers and re-makes broken ones', () => {
    const s = wiringScript(containers, [{ link: fabric, verify: true }]);
    expect(s).not.toContain("ip -batch - <<'EGRESS_LAB_EOF'\nlink add");
    // one listing per namespace, then a membership test per link
    expect(s.match(/ip -o link show/g)).toHaveLength(2);
    expect(s).toContain(`case "$L0" in *' eth0 '*) case "$L1" in *' f-node-1 '*) ok=1`);
    expect(s).toContain("echo 'relinked node-1/eth0 tor/f-node-1'");
    execFileSync('sh', ['-n', '-c', s]);
  });

  it('decides in a real shell: an intact pair is kept, a broken one re-made', () => {
    const s = wiringScript(containers, [{ link: fabric, verify: true }]);
    const check = s.slice(s.indexOf('case "$L0"'), s.indexOf("step='mounting procfs"));
    const decide = (l0: string, l1: string): string =>
      execFileSync('sh', [
        '-c',
        `L0=${JSON.stringify(l0)}; L1=${JSON.stringify(l1)}\n${check.replace(/^ {2}(nsenter|ip) .*$/gm, '  :')}`,
      ]).toString();
    expect(decide(' lo eth0 cali0761ccbeace ', ' lo f-node-1 br0 ')).toBe('');
    expect(decide(' lo cali0761ccbeace ', ' lo f-node-1 br0 ')).toBe(
      'relinked node-1/eth0 tor/f-node-1\n',
    );
    expect(decide(' lo eth0 ', ' lo f-node-10 ')).toBe('relinked node-1/eth0 tor/f-node-1\n');
  });

  it('deletes a stale end in a reused container before re-linking a new peer', () => {
    const s = wiringScript(containers, [{ link: pod, verify: false, stale: ['a'] }]);
    const del = s.indexOf('nsenter -t 200 -n ip link del dev cali0761ccbeace');
    expect(del).toBeGreaterThan(0);
    expect(del).toBeLessThan(s.indexOf('link add name cali0761ccbeace'));
  });

  it('applies the routes of route-only containers in their batch, and lets nothing else into it', () => {
    const web = {
      ...containers[2]!,
      routes: [
        { dst: '169.254.1.1', dev: 'eth0', scope: 'link' as const },
        { dst: 'default', via: '169.254.1.1', dev: 'eth0' },
      ],
    };
    const s = wiringScript([web], []);
    expect(s).toContain(
      'addr replace 192.168.0.0/32 dev eth0\nlink set dev eth0 up\nroute replace 169.254.1.1 dev eth0 scope link\nroute replace default via 169.254.1.1 dev eth0\nEGRESS_LAB_EOF',
    );
    expect(() =>
      wiringScript(
        [{ ...web, routes: [{ dst: 'default', dev: 'eth0\nEGRESS_LAB_EOF\nreboot' }] }],
        [],
      ),
    ).toThrow(/not a plain ip route command/);
    expect(() => wiringScript([{ ...web, routes: [{ dst: 'default;reboot' }] }], [])).toThrow(
      /not a plain ip route command/,
    );
  });

  it('refuses names and values that are not what they claim to be', () => {
    const bad = (ifname: string) => () =>
      wiringScript(
        [{ name: 'x', pid: 1, id: cid('x'), bridges: [], interfaces: [{ ifname, addresses: [] }] }],
        [],
      );
    expect(bad('eth0; reboot')).toThrow(/interface name/);
    expect(bad('a'.repeat(16))).toThrow(/interface name/);
    expect(() =>
      wiringScript(
        [
          {
            name: 'x',
            pid: 1,
            id: cid('x'),
            bridges: [],
            interfaces: [{ ifname: 'eth0', addresses: ['1.2.3.4/24 dev lo'] }],
          },
        ],
        [],
      ),
    ).toThrow(/CIDR/);
    expect(() =>
      wiringScript([{ name: 'X Y', pid: 1, id: cid('X Y'), bridges: [], interfaces: [] }], []),
    ).toThrow(/container name/);
    expect(() =>
      wiringScript([{ ...containers[0]!, pid: 0 }], [{ link: fabric, verify: false }]),
    ).toThrow(/no PID|no such container/);
    expect(() => vethOf({ ...fabric, a: { ...fabric.a, mac: 'zz' } }, 1, 2)).toThrow(/MAC/);
  });

  it('maps per-interface sysctls to /proc/sys paths, dots in interface names included', () => {
    expect(sysctlPath('net.ipv4.conf.eth0.100.rp_filter', 'eth0.100')).toBe(
      'net/ipv4/conf/eth0.100/rp_filter',
    );
    expect(() => sysctlPath('kernel.panic', 'eth0')).toThrow(/net\.\*/);
    expect(() => sysctlPath('net.ipv4.conf.eth1.x', 'eth0')).toThrow();
    expect(
      interfaceSysctls([
        { ifname: 'eth0', addresses: [], sysctls: { 'net.ipv4.conf.eth0.proxy_arp': '1' } },
      ]),
    ).toEqual([{ path: 'net/ipv4/conf/eth0/proxy_arp', value: '1' }]);
    expect(() =>
      interfaceSysctls([
        { ifname: 'eth0', addresses: [], sysctls: { 'net.ipv4.conf.eth0.x': '1; reboot' } },
      ]),
    ).toThrow(/value/);
  });

  it('gives stable, locally administered, unicast MACs', () => {
    const m = stableMac('tor', 'br0');
    expect(m).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    expect(stableMac('tor', 'br0')).toBe(m);
    expect(stableMac('node-1', 'eth0')).not.toBe(stableMac('node-2', 'eth0'));
  });
});

describe('the PID check, run for real against live, foreign and dead PIDs', () => {
  const procs: ChildProcess[] = [];
  const sleeper = (): ChildProcess => {
    const p = spawn('sleep', ['30'], { stdio: 'ignore' });
    procs.push(p);
    return p;
  };
  afterEach(() => {
    for (const p of procs.splice(0)) p.kill('SIGKILL');
  });
  /** The last segment of the process's deepest cgroup path: what a container's ID is there. */
  const cgroupLeaf = (pid: number): string =>
    readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .split('\n')
      .map((l) => l.split(':').slice(2).join(':'))
      .sort((x, y) => y.length - x.length)[0]!
      .split('/')
      .at(-1)!;
  const ownsPid = (pid: number, id: string, name: string) =>
    spawnSync('sh', ['-c', `${PID_CHECK}\nownsPid "$@"`, 'sh', String(pid), id, name], {
      encoding: 'utf8',
    });
  const exited = (p: ChildProcess): Promise<void> =>
    new Promise((r) =>
      p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r()),
    );

  it('accepts a PID still in its container, refuses it in another one or gone, naming the container', async (ctx) => {
    const p = sleeper();
    const pid = p.pid!;
    const leaf = cgroupLeaf(pid);
    if (!leaf) ctx.skip(); // the test runs in the root cgroup: no ID to find
    expect(ownsPid(pid, leaf, 'web-1').status).toBe(0);
    // The PID reused by a process of another container (or of the host): not web-1's.
    const foreign = ownsPid(pid, cid('web-1'), 'web-1');
    expect(foreign.status).toBe(1);
    expect(foreign.stderr).toContain(
      `web-1: its process ${pid} is gone or no longer in container ${cid('web-1')}`,
    );
    p.kill('SIGKILL');
    await exited(p);
    const gone = ownsPid(pid, leaf, 'web-1');
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/web-1: its process \d+ is gone/);
  });

  it('stops the wiring before any namespace is entered when one PID is not its container’s', async (ctx) => {
    const mine = sleeper();
    const foreign = sleeper();
    const leaf = cgroupLeaf(mine.pid!);
    if (!leaf) ctx.skip();
    const setup = (container: string, pid: number) => ({
      container,
      pid,
      ensureBridges: [],
      sysctls: [],
      ops: [{ op: 'link-up' as const, dev: 'eth0' }],
    });
    const script = (owners: { container: string; pid: number; id: string }[]) =>
      renderWiring([
        { kind: 'check-pids', owners },
        { kind: 'configure', containers: owners.map((o) => setup(o.container, o.pid)) },
      ]);
    const ok = stubbedRun(
      script([{ container: 'node-1', pid: mine.pid!, id: leaf }]),
      undefined,
      true,
    );
    expect(ok.status, ok.stderr).toBe(0);
    expect(Object.keys(ok.calls)).toEqual([String(mine.pid)]);
    const bad = stubbedRun(
      script([
        { container: 'node-1', pid: mine.pid!, id: leaf },
        { container: 'web-1', pid: foreign.pid!, id: cid('web-1') },
      ]),
      undefined,
      true,
    );
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain(
      `web-1: its process ${foreign.pid} is gone or no longer in container`,
    );
    expect(bad.stderr).toContain(
      'egress-lab wiring failed at: checking that each PID still belongs to its container',
    );
    expect(bad.calls).toEqual({}); // no nsenter at all, not even into node-1
  });
});
