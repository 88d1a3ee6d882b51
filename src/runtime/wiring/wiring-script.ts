// The one script the wiring helper runs for a whole lab (PLATFORM.md): veth pairs created
// straight into the containers' network namespaces; then every container configured
// through nsenter (parallel jobs) and waited for until its links carry traffic; then the
// new BIRDs' sessions enabled. Pure text generation: every value is validated and quoted.
import { createHash } from 'node:crypto';
import { renderRoute } from '../../core/dataplane/render-routes.js';
import type {
  BridgeSpec,
  InterfaceSpec,
  LinkEnd,
  LinkSpec,
  RouteSpec,
} from '../../core/plan/types.js';
import { checkContainerName, checkIfname, checkMac } from '../lab/names.js';
import { shJoin, shQuote } from './quote.js';

export interface WiringContainer {
  name: string; // lab-local, for messages
  pid: number; // host PID of the container's init (inspect State.Pid)
  bridges: readonly BridgeSpec[];
  interfaces: readonly InterfaceSpec[];
  /**
   * Routes to apply right after the interfaces (containers whose whole dataplane is
   * routes, e.g. pods: no exec needed for them).
   */
  routes?: readonly RouteSpec[];
  /**
   * A new container's BIRD config: BIRD started with its sessions disabled (up.ts);
   * once the links are up the helper puts this config in /etc/bird/bird.conf and enables
   * every session, through the container's root and BIRD's control socket.
   */
  bird?: string;
  /** Created by this `up`: nothing in it to check first (a bridge is added, not looked up). */
  fresh?: boolean;
}

const ROUTE_LINE = /^route (replace|add|append) [A-Za-z0-9.:/ _-]+$/;

/** The routes as `ip -batch` lines (the core's renderer), each checked: they go into a here-document. */
export function routeLines(routes: readonly RouteSpec[], where: string): string[] {
  return routes.map((r) => {
    const l = renderRoute(r);
    if (!ROUTE_LINE.test(l))
      throw new Error(`${where}: route line "${l}" is not a plain ip route command`);
    return l;
  });
}

export interface WiringLink {
  link: LinkSpec;
  /** Both ends were already there (reused containers): keep the pair when it is intact. */
  verify: boolean;
  /**
   * Ends in reused containers whose peer container is new: the old pair may still be there
   * for a moment (the kernel tears down a dead namespace asynchronously), so it is deleted first.
   */
  stale?: ('a' | 'b')[];
}

/** Where the helper mounts a fresh procfs: /proc/sys is read-only in containers. */
export const HELPER_PROC = '/tmp/egress-lab-proc';

const CIDR = /^[0-9a-fA-F:.]+\/\d{1,3}$/;
const SYSCTL_VALUE = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface SysctlWrite {
  path: string; // under /proc/sys, e.g. net/ipv4/conf/cali0761ccbeace/proxy_arp
  value: string;
}

/** `net.ipv4.conf.<if>.proxy_arp` → `net/ipv4/conf/<if>/proxy_arp`, keeping dots inside <if>. */
export function sysctlPath(key: string, ifname: string): string {
  const seg = `.${ifname}.`;
  const at = key.indexOf(seg);
  if (!key.startsWith('net.') || at < 0) {
    throw new Error(
      `sysctl "${key}" of interface ${ifname} must be a net.* key naming the interface`,
    );
  }
  const before = key.slice(0, at).split('.');
  const after = key.slice(at + seg.length).split('.');
  const parts = [...before, ifname, ...after];
  if (parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p) && p !== ifname)) {
    throw new Error(`sysctl "${key}" is not valid`);
  }
  return parts.join('/');
}

/**
 * What to write for each interface: `proxyArp` (with proxy_delay 0, as Calico's CNI sets it:
 * otherwise the kernel delays proxy ARP answers up to 0.8 s) and the interface's `sysctls`.
 */
export function interfaceSysctls(interfaces: readonly InterfaceSpec[]): SysctlWrite[] {
  const out = new Map<string, string>();
  for (const i of interfaces) {
    const ifn = checkIfname(i.ifname);
    if (i.proxyArp) {
      out.set(`net/ipv4/conf/${ifn}/proxy_arp`, '1');
      out.set(`net/ipv4/neigh/${ifn}/proxy_delay`, '0');
    }
    for (const [k, v] of Object.entries(i.sysctls ?? {})) {
      const value = String(v);
      if (!SYSCTL_VALUE.test(value)) throw new Error(`sysctl ${k}: value "${value}" is not valid`);
      out.set(sysctlPath(k, ifn), value);
    }
  }
  return [...out].map(([path, value]) => ({ path, value }));
}

function pidOf(byName: Map<string, WiringContainer>, end: LinkEnd): number {
  const c = byName.get(end.container);
  if (!c) throw new Error(`link end ${end.container}/${end.ifname}: no such container in the plan`);
  if (!Number.isInteger(c.pid) || c.pid <= 0)
    throw new Error(`container ${c.name} has no PID (not running?)`);
  return c.pid;
}

/**
 * A fixed, locally administered MAC for an interface the plan gives none: a re-created
 * container comes back with the same MACs, and a bridge keeps its MAC when ports come and
 * go, so neighbours' ARP caches stay right (else a repaired lab drops packets ~30 s).
 */
export function stableMac(container: string, ifname: string): string {
  const h = createHash('sha1').update(`${container}/${ifname}`).digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

function endArgs(end: LinkEnd, pid: number, index?: number): string[] {
  const args = ['name', checkIfname(end.ifname)];
  if (index !== undefined) args.push('index', String(index));
  args.push('address', end.mac ? checkMac(end.mac) : stableMac(end.container, end.ifname));
  args.push('netns', `/proc/${pid}/ns/net`);
  return args;
}

/**
 * `ip link add … type veth peer …` argv (after `ip`) for one link; `indexes`: the two
 * ends' interface indexes (see wiringScript), else the kernel picks them.
 */
export function vethArgs(
  link: LinkSpec,
  pidA: number,
  pidB: number,
  indexes?: readonly [number, number],
): string[] {
  return [
    'link',
    'add',
    ...endArgs(link.a, pidA, indexes?.[0]),
    'type',
    'veth',
    'peer',
    ...endArgs(link.b, pidB, indexes?.[1]),
  ];
}

function nsenter(pid: number, argv: string[]): string[] {
  return ['nsenter', '-t', String(pid), '-n', ...argv];
}

/** $1: the container's root (/proc/PID/root), $2: its name; stdin: its config, base64. */
const SESSIONS_ON = [
  'i=0',
  'until [ -S "$1/run/bird/bird.ctl" ]; do',
  '  i=$((i + 1))',
  '  [ "$i" -le 2000 ] || { echo "$2: BIRD did not start within 10 s" >&2; return 1; }',
  '  sleep 0.005',
  'done',
  'base64 -d > "$1/etc/bird/bird.conf" || return 1',
  'birdc -s "$1/run/bird/bird.ctl" enable all > /dev/null || { echo "$2: birdc enable all failed" >&2; return 1; }',
];

/**
 * Inside one container's namespace, constant text. $1: the helper's procfs, then sysctl
 * pairs (path, value); stdin: the `ip -batch` lines.
 */
export const CONFIGURE = String.raw`p=$1; shift
while [ $# -gt 1 ]; do echo "$2" > "$p/sys/$1"; shift 2; done
exec ip -batch -`;

/**
 * Inside one container's namespace, constant text; the arguments: its interfaces. Waits
 * until every one can carry traffic: up with carrier, bridge ports forwarding. The kernel
 * takes a carrier change up asynchronously and drops what is sent until then; a BGP SYN or
 * an ARP request lost there costs a 1 s retransmission. Bounded (~2 s): a link that stays
 * down is BGP's to report, not the wiring's.
 */
export const CARRIER_WAIT = String.raw`i=0
until ip -d -o link show | awk -v want="$*" '
  BEGIN { n = split(want, w, " "); for (j = 1; j <= n; j++) left[w[j]] = 1 }
  { f = $2; sub(/:$/, "", f); sub(/@.*/, "", f) }
  f in left && / state UP / && (!/bridge_slave/ || /bridge_slave state forwarding/) { delete left[f] }
  END { for (f in left) exit 1 }'; do
  i=$((i + 1)); [ "$i" -le 400 ] || exit 0
  sleep 0.005
done`;

/** Background jobs at most this many at a time: a 500-container lab must not fork 500. */
const JOBS_AT_ONCE = 16;

/**
 * Each job (lines ending in a background command) run in the background, JOBS_AT_ONCE at
 * a time; fails, once all have ended, if one failed (each names itself).
 */
function inParallel(jobs: readonly string[][]): string[] {
  const out = ['rc=0'];
  for (let i = 0; i < jobs.length; i += JOBS_AT_ONCE) {
    out.push('pids=');
    for (const job of jobs.slice(i, i + JOBS_AT_ONCE)) out.push(...job, 'pids="$pids $!"');
    out.push('for p in $pids; do wait "$p" || rc=1; done');
  }
  out.push('[ "$rc" = 0 ]');
  return out;
}

/** A subshell in the background that names `what` on stderr if it fails. */
function job(what: string, body: string[]): string[] {
  const trap = `rc=$?; [ "$rc" -eq 0 ] || echo ${shQuote(`egress-lab wiring failed at: ${what}`)} >&2`;
  return ['(', `  trap ${shQuote(trap)} EXIT`, ...body, ') &'];
}

/** One container's bridges, sysctls, addresses, link state and routes: one nsenter. */
function configureJob(c: WiringContainer): string[] {
  const body: string[] = [];
  const batch: string[] = [];
  for (const br of c.bridges) {
    const name = checkIfname(br.name);
    if (c.fresh) batch.push(`link add name ${name} type bridge`);
    else
      body.push(
        `  ${shJoin(nsenter(c.pid, ['ip', 'link', 'show', 'dev', name]))} >/dev/null 2>&1 || ` +
          shJoin(nsenter(c.pid, ['ip', 'link', 'add', 'name', name, 'type', 'bridge'])),
      );
  }
  for (const br of c.bridges) {
    const name = checkIfname(br.name);
    batch.push(
      `link set dev ${name} address ${stableMac(c.name, name)}`,
      `link set dev ${name} up`,
    );
  }
  for (const i of c.interfaces) {
    const ifn = checkIfname(i.ifname);
    if (i.master) batch.push(`link set dev ${ifn} master ${checkIfname(i.master)}`);
    for (const a of i.addresses) {
      if (!CIDR.test(a))
        throw new Error(`${c.name}/${ifn}: address "${a}" is not in CIDR notation`);
      batch.push(`addr replace ${a} dev ${ifn}`);
    }
    batch.push(`link set dev ${ifn} up`);
  }
  if (c.routes) batch.push(...routeLines(c.routes, c.name));
  const writes = interfaceSysctls(c.interfaces);
  const argv = writes.length
    ? ['sh', '-c', CONFIGURE, 'sh', HELPER_PROC, ...writes.flatMap((w) => [w.path, w.value])]
    : ['ip', '-batch', '-'];
  body.push(`  ${shJoin(nsenter(c.pid, argv))} <<'EGRESS_LAB_EOF'`, ...batch, 'EGRESS_LAB_EOF');
  return job(c.name, body);
}

function carrierJob(c: WiringContainer): string[] {
  const ifnames = [
    ...new Set([...c.bridges.map((b) => b.name), ...c.interfaces.map((i) => i.ifname)]),
  ].map(checkIfname);
  return job(`${c.name}: waiting for its links`, [
    `  ${shJoin(nsenter(c.pid, ['sh', '-c', CARRIER_WAIT, 'sh', ...ifnames]))}`,
  ]);
}

export function wiringScript(
  containers: readonly WiringContainer[],
  links: readonly WiringLink[],
): string {
  const byName = new Map(containers.map((c) => [checkContainerName(c.name), c]));
  const out: string[] = [
    'set -eu',
    'step=start',
    `trap 'rc=$?; [ "$rc" -eq 0 ] || echo "egress-lab wiring failed at: $step" >&2' EXIT`,
  ];
  const step = (s: string): void => {
    out.push(`step=${shQuote(s)}`);
  };

  // 1. veth pairs. Fresh ones in one `ip -batch` (one process for all of them);
  //    pairs between reused containers are kept when both ends are still there.
  const fresh = links.filter((l) => !l.verify);
  const stale = fresh.flatMap((l) => (l.stale ?? []).map((side) => l.link[side]));
  if (stale.length) {
    step('removing veths left by replaced containers');
    for (const end of stale) {
      const pid = pidOf(byName, end);
      out.push(
        `${shJoin(nsenter(pid, ['ip', 'link', 'del', 'dev', checkIfname(end.ifname)]))} >/dev/null 2>&1 || true`,
      );
    }
  }
  // Between two new containers (nothing but lo in either namespace) the ends get indexes
  // of their own, link k: 2k+2 and 2k+3. Else the kernel picks the next free one in each:
  // 2 at both ends of a first link, and a veth whose index equals its peer's has its
  // carrier change handled as not urgent (linkwatch), up to 1 s later; until then a bridge
  // port does not forward and the interface is not up for BIRD.
  if (fresh.length) {
    step(`creating ${fresh.length} veth pairs`);
    out.push("ip -batch - <<'EGRESS_LAB_EOF'");
    links.forEach(({ link, verify }, k) => {
      if (verify) return;
      const own = byName.get(link.a.container)?.fresh && byName.get(link.b.container)?.fresh;
      const indexes = own ? ([2 * k + 2, 2 * k + 3] as const) : undefined;
      out.push(vethArgs(link, pidOf(byName, link.a), pidOf(byName, link.b), indexes).join(' '));
    });
    out.push('EGRESS_LAB_EOF');
  }
  // Pairs between reused containers: list each namespace's interfaces once (one nsenter
  // per container, not two per link), keep the pairs whose both ends are there.
  const verify = links.filter((l) => l.verify);
  const listVar = new Map<string, string>();
  for (const { link } of verify) {
    for (const end of [link.a, link.b]) {
      if (listVar.has(end.container)) continue;
      const v = `L${listVar.size}`;
      listVar.set(end.container, v);
      step(`listing interfaces of ${end.container}`);
      out.push(
        `${v}=" $(${shJoin(nsenter(pidOf(byName, end), ['ip', '-o', 'link', 'show']))} | ` +
          `sed -n 's/^[0-9]*: \\([^:@]*\\).*/\\1/p' | tr '\\n' ' ')"`,
      );
    }
  }
  for (const { link } of verify) {
    const pa = pidOf(byName, link.a);
    const pb = pidOf(byName, link.b);
    const a = checkIfname(link.a.ifname);
    const b = checkIfname(link.b.ifname);
    const va = listVar.get(link.a.container) as string;
    const vb = listVar.get(link.b.container) as string;
    step(`checking link ${link.a.container}/${a} - ${link.b.container}/${b}`);
    out.push(
      `case "$${va}" in *${shQuote(` ${a} `)}*) case "$${vb}" in *${shQuote(` ${b} `)}*) ok=1 ;; *) ok=0 ;; esac ;; *) ok=0 ;; esac`,
      'if [ "$ok" = 0 ]; then',
      `  ${shJoin(nsenter(pa, ['ip', 'link', 'del', 'dev', a]))} >/dev/null 2>&1 || true`,
      `  ${shJoin(nsenter(pb, ['ip', 'link', 'del', 'dev', b]))} >/dev/null 2>&1 || true`,
      `  ${shJoin(['ip', ...vethArgs(link, pa, pb)])}`,
      `  echo ${shQuote(`relinked ${link.a.container}/${a} ${link.b.container}/${b}`)}`,
      'fi',
    );
  }

  // 2. The containers in parallel (each is its own namespace; a 2-core machine halves the
  //    time): bridges, per-interface sysctls, then addresses, bridge ports, link state and
  //    routes in one batch under one nsenter. Then, once every end is up, each waits until
  //    its links carry traffic (a wait before its peers are configured could only time out).
  const needProc = containers.some((c) => interfaceSysctls(c.interfaces).length > 0);
  if (needProc) {
    step('mounting procfs for per-interface sysctls');
    out.push(`mkdir -p ${HELPER_PROC}`, `mount -t proc proc ${HELPER_PROC}`);
  }
  const configured = containers.filter((c) => c.bridges.length || c.interfaces.length || c.routes);
  if (configured.length) {
    step('configuring the containers');
    out.push(...inParallel(configured.map(configureJob)));
    const linked = configured.filter((c) => c.bridges.length || c.interfaces.length);
    step('waiting until the links carry traffic');
    out.push(...inParallel(linked.map(carrierJob)));
  }

  // 3. BGP sessions on, in every new BIRD, now that its peers are reachable. BIRD is
  //    started by the container's own first apply, which may still be running: its
  //    control socket appears once the boot config is in place and BIRD reads commands.
  const birds = containers.filter((c) => c.bird !== undefined);
  if (birds.length) {
    step('enabling BGP sessions');
    out.push('sessionsOn() {', ...SESSIONS_ON.map((l) => `  ${l}`), '}');
    out.push(
      ...inParallel(
        birds.map((c) => [
          `sessionsOn /proc/${c.pid}/root ${shQuote(c.name)} <<'EGRESS_LAB_EOF' &`,
          ...(Buffer.from(c.bird as string)
            .toString('base64')
            .match(/.{1,76}/g) ?? []),
          'EGRESS_LAB_EOF',
        ]),
      ),
    );
  }
  out.push('step=done', 'echo "egress-lab wiring ok"', '');
  return out.join('\n');
}
