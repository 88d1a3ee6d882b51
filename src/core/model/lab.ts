// The validated lab: the `kind: Lab` document with every default filled in,
// plus the Calico resources that came with it. Everything downstream (IPAM,
// dataplane, runtime, UI) reads this shape and never the raw YAML.
import type { Problem } from '../errors.js';
import type { BGPConfiguration, BGPPeer, FelixConfiguration, IPPool } from './calico.js';
import type { LabEgressGateway, LabFirewall, LabNamespaceAnnotations } from './perimeter.js';
import type { KubeProxyConfig, LabService, ServiceTarget } from './service.js';
import type { LabNamespace, NetworkSet, Policy } from './policy.js';

export interface LabRouter {
  name: string; // default "tor"
  address: string; // on the fabric, default: first address of fabric.cidr
  asNumber: number; // default 64500
  /** IPv6 labs (fabric.ipv6Cidr): the router's address on the fabric, default its first address. */
  ipv6Address?: string;
}

export interface LabNode {
  name: string;
  address: string; // eth0 on the fabric; assigned in order when left out
  labels: Record<string, string>;
  /**
   * Extra addresses on eth0 after the main one (multi-homed node, calico#2222):
   * the first address listed on an interface is what MASQUERADE picks.
   */
  extraAddresses: string[];
  /** The rack (fabric subnet) the node sits in, when the lab has `fabric.racks`. */
  rack?: string;
  /** Calico Node spec.bgp.routeReflectorClusterID: a route reflector (ignores the mesh). */
  routeReflectorClusterID?: string;
  /** IPv6 labs: eth0's IPv6 address on the fabric (Calico's Node bgp.ipv6Address). */
  ipv6Address?: string;
}

/**
 * One L2 segment of the fabric behind the router ("rack"): a lab with `fabric.racks` has
 * several, routed by the router (one interface per rack). model/racks.ts gives every lab's.
 */
export interface LabRack {
  name: string;
  cidr: string; // canonical, e.g. "172.30.1.0/24"
  routerAddress: string; // the router's address on this rack (the nodes' gateway)
  /** A top-of-rack router of its own (racks[].tor, model/tor.ts): it holds routerAddress. */
  tor?: LabTor;
}

/**
 * A rack's own top-of-rack router (`fabric.racks[].tor`), Calico's "AS per rack" model: a BIRD
 * container at the rack's router address, in the rack's AS (its nodes' AS too), linked to the
 * spine (the lab router) by a point-to-point veth, eBGP with the spine.
 */
export interface LabTor {
  name: string; // container name, default "<rack>-tor"
  asNumber: number; // the rack's AS: the ToR's and its nodes' (Node spec.bgp.asNumber)
  /** Whether the ToR passes the pod blocks it learns from its nodes on to the spine (default true). */
  exportPodBlocks: boolean;
  /** The point-to-point link to the spine: the spine's and the ToR's address (a /31). */
  uplink: { spine: string; tor: string };
}

export interface LabPod {
  name: string;
  node: string;
  namespace: string; // default "default"
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Echo servers the pod runs (Services' endpoints); absent: none. */
  tcpPorts?: number[];
  udpPorts?: number[];
}

export interface LabHost {
  name: string;
  address: string; // plain address, e.g. "203.0.113.10"
  prefixLength: number; // e.g. 24: the host's own segment behind the router
  gateway: string; // router side of the segment; default: first other address of the segment
  /** What the host runs: answers ping always; echo servers on these ports. */
  tcpPorts: number[]; // default [8080]
  udpPorts: number[]; // default [8081]
  /** IPv6 labs: the host's IPv6 address, prefix length and gateway on its segment. */
  ipv6?: { address: string; prefixLength: number; gateway: string };
}

export type SeenAs = 'node' | 'pod' | { address: string };

export interface LabExpectation {
  from: string; // pod name, or a host name (inbound: then `to` is a pod and protocol icmp)
  to: string; // host or pod name, or an address
  protocol: 'icmp' | 'tcp' | 'udp'; // default icmp
  port?: number; // tcp/udp
  seenAs: SeenAs;
  reply: boolean;
  /** `to: service/NAME`: the Service address and port the probe goes to (lab-service-expect.ts). */
  service?: ServiceTarget;
  /** 6: the check runs over IPv6 (the pods' and hosts' IPv6 addresses); absent: IPv4. */
  ipVersion?: 6;
  /**
   * false: the flow is expected to be dropped on the way (network policy; a firewall): nothing
   * reaches the destination and no reply comes back. seenAs is then not checked.
   */
  allowed?: boolean;
}

export interface Lab {
  name: string;
  description: string;
  docs: string;
  calicoVersion: string; // "v3.30"
  /** racks: present only when the file has `fabric.racks` (then cidr is the first rack's). */
  fabric: { cidr: string; ipv6Cidr?: string; racks?: LabRack[] }; // ipv6Cidr: the lab runs IPv6 too (ipv6.ts)
  router: LabRouter;
  nodes: LabNode[];
  pods: LabPod[];
  hosts: LabHost[];
  expect: LabExpectation[];
  notes: string; // instructor notes (markdown), may be empty
  ipPools: IPPool[];
  bgpConfiguration: BGPConfiguration; // the "default" one, defaults filled in
  bgpPeers: BGPPeer[];
  felixConfiguration: FelixConfiguration; // the "default" one, defaults filled in
  /**
   * Per-node FelixConfigurations ("node.<node name>"), e.g. a node's own natOutgoingAddress
   * (calico#2222). Felix merges them over "default" field by field for that node.
   */
  felixNodeConfigurations?: FelixConfiguration[];
  /** Namespaces written in the lab file (with their labels); pods' namespaces exist anyway. */
  namespaces?: LabNamespace[];
  /** Network policies (Calico's and converted Kubernetes ones), in file order. */
  policies?: Policy[];
  networkSets?: NetworkSet[];
  /**
   * Present when loading warned: fields the lab accepts but does not follow ("not modelled:
   * <field> — <what the lab does instead>") and other differences from Calico, positioned.
   */
  warnings?: Problem[];
  /** A perimeter firewall in the router (spec.firewall). */
  firewall?: LabFirewall;
  /** Calico Enterprise egress gateways (spec.enterprise); their pods are in `pods` too. */
  egressGateways?: LabEgressGateway[];
  /** Namespace annotations Calico Enterprise reads (spec.enterprise.namespaces). */
  namespaceAnnotations?: LabNamespaceAnnotations[];
  /** Kubernetes Services (spec.services); absent: none, and no kube-proxy rules. */
  services?: LabService[];
  /** kube-proxy on every node: present when the lab has Services or spec.kubeProxy. */
  kubeProxy?: KubeProxyConfig;
  /** A workshop exercise: steps with checkpoints and checks on the wire (issue 18). */
  exercise?: Exercise;
  /** Calico's CNI config: assignIpv4 false (ipam.assign_ipv4) makes an IPv6-only lab (ip-families.ts). */
  cni?: { assignIpv4: boolean };
}

// A lab's exercise (issue 18): ordered steps a student walks through. Each step starts from a
// checkpoint (the lab file's Calico resources with pool patches) and is checked on the wire
// with the same expectations as the lab's `expect` entries.

/** A merge patch on one of the lab file's pools (RFC 7386, the pool as calicoctl shows it). */
export interface CheckpointPatch {
  ippool: string;
  patch: Record<string, unknown>;
}

export interface ExerciseStep {
  title: string;
  instruction: string;
  hints: string[];
  /** Empty: the step starts from the lab file's own resources. */
  checkpoint: CheckpointPatch[];
  check: LabExpectation[];
}

export interface Exercise {
  title: string;
  steps: ExerciseStep[];
}
