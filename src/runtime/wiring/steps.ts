// What the wiring helper does for a whole lab, as data (render.ts turns it into the
// helper's shell): veth pairs created straight into the containers' network namespaces;
// then every container configured (bridges, sysctls, addresses, link state, routes) and
// waited for until its links carry traffic; then the new BIRDs' sessions enabled. Pure:
// every name, address and value is validated here, before anything is rendered.
import { createHash } from 'node:crypto';
import type { BridgeSpec, InterfaceSpec, LinkEnd, LinkSpec } from '../../core/plan/types.js';
import { checkContainerName, checkIfname, checkMac } from '../lab/names.js';

export interface StepContainer {
  name: string; // lab-local, for messages
  pid: number; // host PID of the container's init (inspect State.Pid)
  /** The engine's ID of the container (64 hex digits): the helper checks `pid` is still its. */
  id: string;
  bridges: readonly BridgeSpec[];
  interfaces: readonly InterfaceSpec[];
  /** Checked `ip -batch` route lines, applied right after the interfaces; passed through. */
  routes?: readonly string[];
  /**
   * A new container's BIRD config: BIRD runs with its sessions disabled (the core renders it
   * so); once the links are up the helper puts this config in /etc/bird/bird.conf and enables
   * every session, through the container's root and BIRD's control socket.
   */
  bird?: string;
  /** Created by this `up`: nothing in it to check first (a bridge is added, not looked up). */
  fresh?: boolean;
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

export interface SysctlWrite {
  path: string; // under /proc/sys, e.g. net/ipv4/conf/cali0761ccbeace/proxy_arp
  value: string;
}

/** An interface in a container's namespace. */
export interface Ifc {
  container: string;
  pid: number;
  ifname: string;
}

export interface VethEnd extends Ifc {
  mac: string;
  /** The interface index to ask for; else the kernel picks one. */
  index?: number;
}

export interface Veth {
  a: VethEnd;
  b: VethEnd;
}

/** One line of a container's `ip -batch`, in order. */
export type IpOp =
  | { op: 'bridge-add'; name: string }
  | { op: 'link-mac'; dev: string; mac: string }
  | { op: 'link-up'; dev: string }
  /** The CNI plugin's pod MTU on both ends of a pod's veth (tunnels on: InterfaceSpec.mtu). */
  | { op: 'link-mtu'; dev: string; mtu: number }
  | { op: 'link-master'; dev: string; master: string }
  | { op: 'addr'; dev: string; cidr: string }
  | { op: 'route'; line: string };

/** One container's configuration, under one nsenter. */
export interface ContainerSetup {
  container: string;
  pid: number;
  /** Bridges of a reused container: added unless there already. */
  ensureBridges: string[];
  sysctls: SysctlWrite[];
  ops: IpOp[];
}

/** A PID the script enters, with the container it must still belong to. */
export interface PidOwner {
  container: string;
  pid: number;
  id: string;
}

export type WiringStep =
  /** First: every PID the later steps enter still belongs to its container (not reused). */
  | { kind: 'check-pids'; owners: PidOwner[] }
  | { kind: 'delete-stale-ends'; ends: Ifc[] }
  | { kind: 'create-veths'; veths: Veth[] }
  | { kind: 'list-interfaces'; container: string; pid: number }
  /** A pair between reused containers: kept when both ends are listed, else re-made. */
  | { kind: 'check-veth'; veth: Veth }
  | { kind: 'mount-proc'; path: string }
  /** In parallel, one job per container. */
  | { kind: 'configure'; containers: ContainerSetup[] }
  /** In parallel: each container waits until these interfaces carry traffic. */
  | { kind: 'await-carrier'; containers: { container: string; pid: number; ifnames: string[] }[] }
  /** In parallel: each BIRD gets its config and its sessions enabled. */
  | { kind: 'enable-bgp'; birds: { container: string; pid: number; config: string }[] };

const CIDR = /^[0-9a-fA-F:.]+\/\d{1,3}$/;
const SYSCTL_VALUE = /^[A-Za-z0-9_.:-]{1,64}$/;

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

/**
 * A fixed, locally administered MAC for an interface the plan gives none: a re-created
 * container comes back with the same MACs, and a bridge keeps its MAC when ports come and
 * go, so neighbours' ARP caches stay right (else a repaired lab drops packets ~30 s).
 */
export function stableMac(container: string, ifname: string): string {
  const h = createHash('sha1').update(`${container}/${ifname}`).digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

const CONTAINER_ID = /^[0-9a-f]{64}$/;

function checkPid(c: StepContainer): number {
  if (!Number.isInteger(c.pid) || c.pid <= 0)
    throw new Error(`container ${c.name} has no PID (not running?)`);
  if (!CONTAINER_ID.test(c.id))
    throw new Error(`container ${c.name}: "${c.id}" is not an engine container ID`);
  return c.pid;
}

function containerOf(byName: ReadonlyMap<string, StepContainer>, end: LinkEnd): StepContainer {
  const c = byName.get(end.container);
  if (!c) throw new Error(`link end ${end.container}/${end.ifname}: no such container in the plan`);
  checkPid(c);
  return c;
}

function vethEnd(end: LinkEnd, pid: number, index?: number): VethEnd {
  return {
    container: end.container,
    pid,
    ifname: checkIfname(end.ifname),
    mac: end.mac ? checkMac(end.mac) : stableMac(end.container, end.ifname),
    ...(index !== undefined ? { index } : {}),
  };
}

/** One link as a veth pair; `indexes`: the two ends' interface indexes, else the kernel picks. */
export function vethOf(
  link: LinkSpec,
  pidA: number,
  pidB: number,
  indexes?: readonly [number, number],
): Veth {
  return { a: vethEnd(link.a, pidA, indexes?.[0]), b: vethEnd(link.b, pidB, indexes?.[1]) };
}

/** One container's bridges, sysctls, addresses, link state and routes. */
function setupOf(c: StepContainer): ContainerSetup {
  const ensureBridges: string[] = [];
  const ops: IpOp[] = [];
  for (const br of c.bridges) {
    const name = checkIfname(br.name);
    if (c.fresh) ops.push({ op: 'bridge-add', name });
    else ensureBridges.push(name);
  }
  for (const br of c.bridges) {
    const name = checkIfname(br.name);
    ops.push(
      { op: 'link-mac', dev: name, mac: stableMac(c.name, name) },
      { op: 'link-up', dev: name },
    );
  }
  for (const i of c.interfaces) {
    const dev = checkIfname(i.ifname);
    if (i.master) ops.push({ op: 'link-master', dev, master: checkIfname(i.master) });
    for (const cidr of i.addresses) {
      if (!CIDR.test(cidr))
        throw new Error(`${c.name}/${dev}: address "${cidr}" is not in CIDR notation`);
      ops.push({ op: 'addr', dev, cidr });
    }
    if (i.mtu !== undefined) {
      if (!Number.isInteger(i.mtu) || i.mtu < 68 || i.mtu > 65535)
        throw new Error(`${c.name}/${dev}: MTU ${i.mtu} is not between 68 and 65535`);
      ops.push({ op: 'link-mtu', dev, mtu: i.mtu });
    }
    ops.push({ op: 'link-up', dev });
  }
  for (const line of c.routes ?? []) ops.push({ op: 'route', line });
  return {
    container: c.name,
    pid: c.pid,
    ensureBridges,
    sysctls: interfaceSysctls(c.interfaces),
    ops,
  };
}

export function wiringSteps(
  containers: readonly StepContainer[],
  links: readonly WiringLink[],
): WiringStep[] {
  const byName = new Map(containers.map((c) => [checkContainerName(c.name), c]));
  const steps: WiringStep[] = [];
  const pidOwners = (): WiringStep[] => {
    const entered = new Set(
      steps.flatMap((s): number[] => {
        switch (s.kind) {
          case 'check-pids':
          case 'mount-proc':
            return [];
          case 'delete-stale-ends':
            return s.ends.map((e) => e.pid);
          case 'create-veths':
            return s.veths.flatMap((v) => [v.a.pid, v.b.pid]);
          case 'list-interfaces':
            return [s.pid];
          case 'check-veth':
            return [s.veth.a.pid, s.veth.b.pid];
          case 'configure':
          case 'await-carrier':
            return s.containers.map((c) => c.pid);
          case 'enable-bgp':
            return s.birds.map((b) => b.pid);
        }
      }),
    );
    const owners = containers
      .filter((c) => entered.has(c.pid))
      .map((c) => ({ container: c.name, pid: checkPid(c), id: c.id }));
    return owners.length ? [{ kind: 'check-pids', owners }] : [];
  };

  // 1. veth pairs. Fresh ones all at once; pairs between reused containers are kept when
  //    both ends are still there.
  const fresh = links.filter((l) => !l.verify);
  const stale = fresh.flatMap((l) => (l.stale ?? []).map((side) => l.link[side]));
  if (stale.length) {
    steps.push({
      kind: 'delete-stale-ends',
      ends: stale.map((end) => ({
        container: end.container,
        pid: containerOf(byName, end).pid,
        ifname: checkIfname(end.ifname),
      })),
    });
  }
  // Between two new containers (nothing but lo in either namespace) the ends get indexes
  // of their own, link k: 2k+2 and 2k+3. Else the kernel picks the next free one in each:
  // 2 at both ends of a first link, and a veth whose index equals its peer's has its
  // carrier change handled as not urgent (linkwatch), up to 1 s later; until then a bridge
  // port does not forward and the interface is not up for BIRD.
  if (fresh.length) {
    const veths: Veth[] = [];
    links.forEach(({ link, verify }, k) => {
      if (verify) return;
      const a = containerOf(byName, link.a);
      const b = containerOf(byName, link.b);
      const own = a.fresh && b.fresh;
      veths.push(vethOf(link, a.pid, b.pid, own ? [2 * k + 2, 2 * k + 3] : undefined));
    });
    steps.push({ kind: 'create-veths', veths });
  }
  // Pairs between reused containers: each namespace's interfaces listed once (not twice
  // per link), then each pair checked against the lists.
  const verify = links.filter((l) => l.verify);
  const listed = new Set<string>();
  for (const { link } of verify) {
    for (const end of [link.a, link.b]) {
      if (listed.has(end.container)) continue;
      listed.add(end.container);
      steps.push({
        kind: 'list-interfaces',
        container: end.container,
        pid: containerOf(byName, end).pid,
      });
    }
  }
  for (const { link } of verify) {
    const a = containerOf(byName, link.a);
    const b = containerOf(byName, link.b);
    steps.push({ kind: 'check-veth', veth: vethOf(link, a.pid, b.pid) });
  }

  // 2. The containers in parallel (each is its own namespace; a 2-core machine halves the
  //    time). Then, once every end is up, each waits until its links carry traffic (a wait
  //    before its peers are configured could only time out).
  const configured = containers.filter(
    (c) => c.bridges.length || c.interfaces.length || c.routes?.length,
  );
  const setups = configured.map((c) => setupOf({ ...c, pid: checkPid(c) }));
  if (setups.some((s) => s.sysctls.length)) steps.push({ kind: 'mount-proc', path: HELPER_PROC });
  if (setups.length) {
    steps.push({ kind: 'configure', containers: setups });
    const linked = configured.filter((c) => c.bridges.length || c.interfaces.length);
    if (linked.length)
      steps.push({
        kind: 'await-carrier',
        containers: linked.map((c) => ({
          container: c.name,
          pid: c.pid,
          ifnames: [
            ...new Set([...c.bridges.map((b) => b.name), ...c.interfaces.map((i) => i.ifname)]),
          ].map(checkIfname),
        })),
      });
  }

  // 3. BGP sessions on, in every new BIRD, now that its peers are reachable.
  const birds = containers.filter((c) => c.bird !== undefined);
  if (birds.length)
    steps.push({
      kind: 'enable-bgp',
      birds: birds.map((c) => ({ container: c.name, pid: checkPid(c), config: c.bird as string })),
    });
  return [...pidOwners(), ...steps];
}
