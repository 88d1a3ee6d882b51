// The one script the wiring helper runs for a whole lab (PLATFORM.md: veth pairs
// created straight into the containers' network namespaces, per-interface settings
// through nsenter). Pure text generation: every value is validated and quoted.
import { createHash } from 'node:crypto';
import type { BridgeSpec, InterfaceSpec, LinkEnd, LinkSpec } from '../core/plan/types.js';
import { checkContainerName, checkIfname, checkMac } from './names.js';
import { shJoin, shQuote } from './quote.js';

export interface WiringContainer {
  name: string; // lab-local, for messages
  pid: number; // host PID of the container's init (inspect State.Pid)
  bridges: readonly BridgeSpec[];
  interfaces: readonly InterfaceSpec[];
  /**
   * `ip -batch` route lines to apply right after the interfaces (containers whose whole
   * dataplane is routes, e.g. pods: no exec needed for them).
   */
  routes?: string;
}

const ROUTE_LINE = /^route (replace|add|append) [A-Za-z0-9.:/ _-]+$/;

/** The lines of `ip -batch` route input, each checked: they go into a here-document. */
export function routeLines(text: string, where: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
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

function endArgs(end: LinkEnd, pid: number): string[] {
  const args = ['name', checkIfname(end.ifname)];
  args.push('address', end.mac ? checkMac(end.mac) : stableMac(end.container, end.ifname));
  args.push('netns', `/proc/${pid}/ns/net`);
  return args;
}

/** `ip link add … type veth peer …` argv (after `ip`) for one link. */
export function vethArgs(link: LinkSpec, pidA: number, pidB: number): string[] {
  return [
    'link',
    'add',
    ...endArgs(link.a, pidA),
    'type',
    'veth',
    'peer',
    ...endArgs(link.b, pidB),
  ];
}

function nsenter(pid: number, argv: string[]): string[] {
  return ['nsenter', '-t', String(pid), '-n', ...argv];
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
  if (fresh.length) {
    step(`creating ${fresh.length} veth pairs`);
    out.push("ip -batch - <<'EGRESS_LAB_EOF'");
    for (const { link } of fresh)
      out.push(vethArgs(link, pidOf(byName, link.a), pidOf(byName, link.b)).join(' '));
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

  // 2. Per container: bridges, then addresses, bridge ports and link state in one batch.
  const needProc = containers.some((c) => interfaceSysctls(c.interfaces).length > 0);
  if (needProc) {
    step('mounting procfs for per-interface sysctls');
    out.push(
      `mkdir -p ${HELPER_PROC}`,
      `mountpoint -q ${HELPER_PROC} || mount -t proc proc ${HELPER_PROC}`,
    );
  }
  for (const c of containers) {
    if (!c.bridges.length && !c.interfaces.length && !c.routes) continue;
    for (const br of c.bridges) {
      const name = checkIfname(br.name);
      step(`${c.name}: bridge ${name}`);
      out.push(
        `${shJoin(nsenter(c.pid, ['ip', 'link', 'show', 'dev', name]))} >/dev/null 2>&1 || ` +
          shJoin(nsenter(c.pid, ['ip', 'link', 'add', 'name', name, 'type', 'bridge'])),
      );
    }
    const writes = interfaceSysctls(c.interfaces);
    if (writes.length) {
      step(`${c.name}: per-interface sysctls`);
      // The loop's text is constant; paths and values arrive as positional parameters.
      out.push(
        shJoin(
          nsenter(c.pid, [
            'sh',
            '-c',
            'p=$1; shift; while [ $# -gt 1 ]; do echo "$2" > "$p/sys/$1"; shift 2; done',
            'sh',
            HELPER_PROC,
            ...writes.flatMap((w) => [w.path, w.value]),
          ]),
        ),
      );
    }
    const batch: string[] = [];
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
    step(`${c.name}: addresses, links up${c.routes ? ', routes' : ''}`);
    out.push(
      `${shJoin(nsenter(c.pid, ['ip', '-batch', '-']))} <<'EGRESS_LAB_EOF'`,
      ...batch,
      'EGRESS_LAB_EOF',
    );
  }
  if (needProc) out.push(`umount ${HELPER_PROC} || true`);
  out.push('step=done', 'echo "egress-lab wiring ok"', '');
  return out.join('\n');
}
