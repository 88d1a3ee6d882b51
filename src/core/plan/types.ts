// The lab plan: everything the runtime needs to make a lab real, computed purely
// from a validated Lab. This file is the contract between the core and the runtime:
// the runtime never decides an address, a name or a rule, it only realizes these.
//
// What the runtime must do with a plan (planLab in ./plan-lab.ts builds it):
// 1. Create one container per ContainerPlan (NetworkMode none) with `sysctls` set at create time.
// 2. Create each bridge (`ip link add <name> type bridge`, up) before wiring.
// 3. Create each LinkSpec as a veth pair between the two containers' namespaces, with the
//    given names; set `mac` where given (Calico's ee:ee:ee:ee:ee:ee on the node side of a pod veth).
// 4. Per InterfaceSpec: `master` (enslave), bring it up, add `addresses` IN ORDER (the first is
//    the primary, which MASQUERADE picks), write `proxyArp` and every entry of `sysctls`
//    (keys are full sysctl names, e.g. net.ipv4.neigh.cali….proxy_delay) after the interface exists.
// 5. Apply `rendered.routes` with `ip -batch -` (every line is `route replace`: idempotent).
// 6. Nodes: `ipset restore` < rendered.ipsetRestore (idempotent: `create … -exist` for each set, then a
//    temporary set cali4t<N> is created, flushed, filled with `add`, `swap`ped in and destroyed, as Felix
//    does). A runtime that stages sets its own way should build from `dataplane.ipsets` (the same data;
//    renderIpsetPlain(dataplane.ipsets) gives plain create/add lines);
//    then the nat table: run `iptables-save -t nat` in the container and feed
//    renderIptablesNat(container.dataplane.nat, thatOutput) (src/core/dataplane/render-nat.ts) to
//    `iptables-restore --noflush`. It rewrites the cali- chains and emits exactly the -A/-D lines that
//    leave ONE copy of the POSTROUTING hook. `rendered.iptablesNat` is that text for a container with no
//    Calico rules yet (fresh namespace); re-applying it blindly would append a second hook.
//    (Equivalent: delete every `-A POSTROUTING … cali:` line of the live table with `-D` in the same
//    transaction, then apply rendered.iptablesNat.) ipsets first: the rules reference them.
//    The nat text also loads `egress-lab-conntrack`, a never-jumped-to rule whose only job is to keep
//    conntrack on in the node (see NatTable.labChains); keep it, or running flows lose their NAT the
//    moment natOutgoing goes off, unlike on a real node.
// 6b. BGP: wait only for the sessions expectedSessions(plan) (./bgp-routes.ts) marks expectUp; a BGPPeer
//    with the wrong AS or at an address nobody answers on never establishes, as with Calico.
// 7. Nodes and router: write rendered.birdConfig to /etc/bird/bird.conf, `mkdir -p /run/bird`, start
//    `bird -c /etc/bird/bird.conf` once, later changes with `birdc configure`. BIRD installs the
//    blackhole routes of the node's blocks (proto bird) and the routes it learns.
// 8. Start `services` (hosts: TCP/UDP echo servers on their ports).
// Changing natOutgoing never touches conntrack (like Felix): flows already NATed keep their mapping.
import type { Lab } from '../model/lab.js';
import type { NodeDataplane, RouterBirdData } from '../dataplane/types.js';

export type Role = 'router' | 'node' | 'pod' | 'host';

/** One end of a veth pair, inside a lab container. */
export interface LinkEnd {
  container: string; // lab-local container name (Lab node/pod/host/router name)
  ifname: string; // <= 15 chars
  mac?: string; // e.g. Calico's ee:ee:ee:ee:ee:ee on the host side of a pod veth
}

export interface LinkSpec {
  a: LinkEnd;
  b: LinkEnd;
}

/** Settings of an interface once it exists (created by a link or a bridge). */
export interface InterfaceSpec {
  ifname: string;
  addresses: string[]; // CIDR notation, in order: the first is the primary
  proxyArp?: boolean; // net.ipv4.conf.<if>.proxy_arp=1 (host side of a pod veth)
  master?: string; // enslave to this bridge
  /** Per-interface sysctls to write once the interface exists, full names (also holds proxy_arp). */
  sysctls?: Record<string, string>;
}

export interface BridgeSpec {
  name: string; // e.g. "br0" in the router: the fabric's ToR switch
}

export interface RouteSpec {
  dst: string; // "default" or a CIDR
  via?: string;
  dev?: string;
  scope?: 'link' | 'global';
  type?: 'unicast' | 'blackhole';
  src?: string;
  onlink?: boolean;
}

/** A long-running process the lab starts in a container (echo servers on hosts, BIRD). */
export interface ServiceSpec {
  kind: 'tcp-echo' | 'udp-echo';
  port: number;
}

/** Rendered text, ready to feed to the tools inside the container. */
export interface RenderedDataplane {
  ipsetRestore?: string; // input of `ipset restore` (nodes)
  iptablesNat?: string; // input of `iptables-restore --noflush` for the nat table (nodes), for a fresh namespace (see 6. above)
  iptablesSave?: string; // the same table as `iptables-save -t nat` would list it (display, diffs)
  routes: string; // input of `ip -batch -`, using `route replace`
  birdConfig?: string; // /etc/bird/bird.conf (nodes and router)
}

export interface ContainerPlan {
  name: string; // lab-local name; the Docker name is `<lab>-<name>`
  role: Role;
  sysctls: Record<string, string>; // namespaced net.* sysctls set at create time
  bridges: BridgeSpec[];
  interfaces: InterfaceSpec[];
  routes: RouteSpec[]; // routes the lab programs itself (BIRD adds learned ones)
  services: ServiceSpec[];
  rendered: RenderedDataplane;
  /** Nodes only: the desired dataplane as data (ipsets, nat chains, routes, BIRD). */
  dataplane?: NodeDataplane;
  /** Router only: its BGP sessions with the nodes. */
  routerBgp?: RouterBirdData;
  /** Pods: the node they run on. */
  node?: string;
}

export interface BlockAffinity {
  cidr: string;
  pool: string;
  node: string;
}

export interface PodAssignment {
  pod: string;
  namespace: string;
  node: string;
  pool: string;
  block: string;
  address: string; // plain address, e.g. "192.168.0.0"
  hostIfname: string; // cali + 11 hex chars
}

export interface IpamPlan {
  blocks: BlockAffinity[];
  assignments: PodAssignment[];
}

export interface LabPlan {
  lab: Lab;
  ipam: IpamPlan;
  containers: ContainerPlan[];
  links: LinkSpec[];
}
