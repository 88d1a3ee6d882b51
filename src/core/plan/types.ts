// The lab plan: everything the runtime needs to make a lab real, computed purely
// from a validated Lab. This file is the contract between the core and the runtime:
// the runtime never decides an address, a name or a rule, it only realizes these.
import type { Lab } from '../model/lab.js';
import type { NodeDataplane } from '../dataplane/types.js';

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
  iptablesNat?: string; // input of `iptables-restore --noflush` for the nat table (nodes)
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
