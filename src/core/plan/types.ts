// The lab plan: everything the runtime needs to make a lab real, computed purely
// from a validated Lab. This file is the contract between the core and the runtime:
// the runtime never decides an address, a name or a rule, it only realizes these.
// A plan is data only (values, no rendered text): the core's renderers turn it into the
// tools' input at the edge (./render-container.ts, ../dataplane/render-*.ts), and nobody
// parses that text back.
//
// What the runtime does with a plan (planLab in ./plan-lab.ts builds it):
// 1. One container per ContainerPlan (no Docker network), `sysctls` set at create time.
// 2. Each bridge created (`ip link add <name> type bridge`, up) before wiring.
// 3. Each LinkSpec a veth pair between the two containers' namespaces, with the given names;
//    `mac` set where given (Calico's ee:ee:ee:ee:ee:ee on the node side of a pod veth).
// 4. Per InterfaceSpec: `master` (enslave), up, `addresses` added IN ORDER (the first is the
//    primary, which MASQUERADE picks), `proxyArp` and every entry of `sysctls` written once
//    the interface exists (full sysctl names, e.g. net.ipv4.neigh.cali….proxy_delay).
// 5. `routes` through `ip -batch` as renderRoutes gives them (`route replace`: idempotent).
// 6. Nodes (`dataplane`), in one apply that changes nothing when any step is refused, as
//    Felix does it (runtime/agent/apply.sh):
//    a. ipsets: renderIpsetStages fills a temporary copy of each set (live sets untouched);
//    b. nat table: one `iptables-restore --noflush` transaction from renderNatRestoreParts:
//       the declarations (which create or flush our chains), deletions of every previous
//       `cali:` rule in the kernel chains, our chains' rules, the hooks, COMMIT. So exactly
//       one copy of each hook remains and rules of others (e.g. Docker's) stay untouched.
//       It also loads `egress-lab-conntrack`, a never-jumped-to rule whose only job is to
//       keep conntrack on in the node (see NatTable.labChains): without it running flows
//       would lose their NAT the moment natOutgoing goes off, unlike on a real node;
//    c. the temporary sets swapped in, and cali sets the plan no longer has destroyed.
//    Changing natOutgoing never touches conntrack (like Felix): flows already NATed keep
//    their mapping.
// 7. Nodes (`dataplane.bird`) and the router (`routerBgp`): renderBirdConfig's text in
//    /etc/bird/bird.conf; BIRD started once, later changes with `birdc configure`. BIRD
//    installs the blackhole routes of the node's blocks (proto bird) and the routes it learns.
//    BGP: wait only for the sessions expectedSessions(plan) (./bgp-routes.ts) marks expectUp;
//    a BGPPeer with the wrong AS or at an address nobody answers on never establishes, as
//    with Calico.
// 8. `services` started (hosts: TCP/UDP echo servers on their ports).
import type { IpamPlan } from '../ipam/types.js';
import type { Lab } from '../model/lab.js';
import type { NodeDataplane, RouteSpec, RouterBirdData } from '../dataplane/types.js';
import type { EgressDataplane, FirewallTable } from '../dataplane/perimeter-types.js';
import type { TorBirdData } from '../dataplane/tor-types.js';

export type { RouteSpec } from '../dataplane/types.js';

export type Role = 'router' | 'node' | 'pod' | 'host' | 'tor'; // tor: a rack's top-of-rack router (tor.ts)

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
  /** The MTU to set (pod veths when a tunnel is on: Felix's pod MTU); else the kernel's 1500. */
  mtu?: number;
}

export interface BridgeSpec {
  name: string; // e.g. "br0" in the router: the fabric's ToR switch
}

/** A long-running process the lab starts in a container (echo servers on hosts, BIRD). */
export interface ServiceSpec {
  kind: 'tcp-echo' | 'udp-echo' | 'tcp6-echo' | 'udp6-echo'; // *6: the same over IPv6 (IPv6 labs)
  port: number;
}

export interface ContainerPlan {
  name: string; // lab-local name; the Docker name is `<lab>-<name>`
  role: Role;
  sysctls: Record<string, string>; // namespaced net.* sysctls set at create time
  bridges: BridgeSpec[];
  interfaces: InterfaceSpec[];
  routes: RouteSpec[]; // routes the lab programs itself (BIRD adds learned ones)
  services: ServiceSpec[];
  /** Nodes only: the desired dataplane (ipsets, nat chains, routes, BIRD config). */
  dataplane?: NodeDataplane;
  /** Router only: its BGP sessions with the nodes. */
  routerBgp?: RouterBirdData;
  /** A rack's top-of-rack router (role router, fabric.racks[].tor): its BIRD data (tor.ts). */
  torBgp?: TorBirdData;
  /** Pods: the node they run on. */
  node?: string;
  /** Router: the perimeter firewall's filter chain (lab spec.firewall). */
  firewall?: FirewallTable;
  /** Nodes and gateway pods: Calico Enterprise egress gateway routing and NAT. */
  egress?: EgressDataplane;
}

// IPAM's output is its own module's type; the plan carries it as is.
export type { BlockAffinity, IpamPlan, PodAssignment } from '../ipam/types.js';

export interface LabPlan {
  lab: Lab;
  ipam: IpamPlan;
  containers: ContainerPlan[];
  links: LinkSpec[];
}
