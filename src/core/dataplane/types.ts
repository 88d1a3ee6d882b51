// Desired dataplane of a node as data, in the spirit of Felix's generictables:
// rules are values (match criteria + action), rendered to iptables text elsewhere,
// so the same data drives rendering, hashing, explain and diffs.
import type { SpineTorSession } from './tor-types.js';
import type { FilterTable } from './filter-types.js';
import type { BirdKernelPool, EncapDataplane } from './encap-types.js';

export type { BirdKernelPool, EncapDataplane, VxlanPeer } from './encap-types.js';
import type { KubeProxyNat } from './kube-proxy-types.js';
import type { KubeProxyNft } from './kube-proxy-nft-types.js';

/** A route the runtime programs (`ip route replace`); BIRD adds blackholes and learned ones. */
export interface RouteSpec {
  dst: string; // "default" or a CIDR
  via?: string;
  dev?: string;
  scope?: 'link' | 'global';
  type?: 'unicast' | 'blackhole' | 'throw';
  src?: string;
  onlink?: boolean;
  /** A routing table other than main (egress gateway tables; `throw`: look up the next rule). */
  table?: number;
}

export interface IpSet {
  name: string; // e.g. "cali40masq-ipam-pools"
  type: 'hash:net' | 'hash:ip';
  family: 'inet' | 'inet6';
  members: string[]; // sorted CIDRs
}

/** One match criterion, rendered in the order given (as Felix's MatchCriteria). */
export type MatchCriterion =
  | { kind: 'srcSet'; set: string; negate?: boolean }
  | { kind: 'dstSet'; set: string; negate?: boolean }
  | { kind: 'outInterface'; name: string; negate?: boolean } // "eth+" is a prefix match, as in iptables
  | { kind: 'protocol'; name: 'tcp' | 'udp' | 'icmp'; negate?: boolean }
  | { kind: 'ctstate'; states: string[]; negate?: boolean } // -m conntrack --ctstate A,B
  /** Felix's ProtocolNum: `-p 17` (iptables-save shows `-p udp`), nft `meta l4proto 17`. */
  | { kind: 'protocolNum'; num: number; negate?: boolean }
  /** -m addrtype [!] --src-type LOCAL [--limit-iface-out] (Felix's SrcAddrType/NotSrcAddrType). */
  | { kind: 'srcAddrType'; addrType: 'LOCAL'; limitIfaceOut: boolean; negate?: boolean };

export type Action =
  | { kind: 'jump'; target: string }
  | { kind: 'return' }
  /** toPorts: "min-max", as Felix renders natPortRange. */
  | { kind: 'masquerade'; randomFully: boolean; toPorts?: string }
  /** toSource: "A" or "A:min-max". */
  | { kind: 'snat'; toSource: string; randomFully: boolean };

export interface Rule {
  match: MatchCriterion[];
  action: Action;
  /** Extra comments after the cali: hash comment. */
  comments?: string[];
}

export interface Chain {
  name: string;
  rules: Rule[];
}

/** Rules Felix appends to a kernel chain it does not own (e.g. POSTROUTING). */
export interface ChainAppend {
  chain: string;
  rules: Rule[];
}

export interface NatTable {
  chains: Chain[]; // cali- chains Felix owns
  appends: ChainAppend[];
  /**
   * Chains the lab adds that are not Felix's (no cali: hash, never jumped to). The one in use:
   * `egress-lab-conntrack`, an unreferenced rule with a conntrack match. Loading any such rule keeps
   * conntrack active in the namespace, as Felix's filter rules and kube-proxy do on a real node.
   * Without it the MASQUERADE rule is the namespace's only conntrack user, and removing it
   * (natOutgoing off) switches tracking off: running flows would lose their NAT at once instead
   * of keeping it as they do on a real node.
   */
  labChains?: Chain[];
  /** kube-proxy's chains and hooks (iptables mode), when the lab has Services (kube-proxy-types.ts). */
  kubeProxy?: KubeProxyNat;
}

export interface BirdPeer {
  name: string; // BIRD protocol name, e.g. "Mesh_172_30_0_12", "Global_172_30_0_1"
  neighbor: string;
  asNumber: number;
  passive: boolean;
  kind: 'mesh' | 'global' | 'node';
  /** `source address` (Calico: the node address, BGPPeer sourceAddress UseNodeIP). */
  sourceAddress?: string;
  /** BGPPeer keepOriginalNextHop on an eBGP session: `next hop keep`. */
  keepNextHop?: boolean;
  /** What created it: "node-to-node mesh" or "BGPPeer(<name>)". */
  origin: string;
  /** This node is a route reflector and the peer its client: `rr client; rr cluster id X;`. */
  rrClusterId?: string;
}

export interface BirdConfigData {
  routerId: string;
  asNumber: number;
  /** Every block affine to the node (not /32): `route X blackhole` in `protocol static`. */
  staticBlackholes: string[];
  exportedBlocks: string[]; // local affine blocks BIRD announces (static blackholes minus rejected)
  rejectedExports: string[]; // CIDRs of pools with disableBGPExport
  /** CIDRs of pools whose routes are exported (learned ones too): not disableBGPExport. */
  acceptedPools: string[];
  peers: BirdPeer[];
  listenPort?: number;
  /** Encapsulated pools: the kernel filter per pool, and reject_tunnel_routes (encap-bird.ts). */
  kernelPools?: BirdKernelPool[];
  /** The node's subnet (confd's network_v4), for IPIP CrossSubnet's next-hop test. */
  network?: string;
  /** Service addresses advertised (confd's /staticroutes): blackholes in BIRD, exported. */
  staticRoutes?: string[];
  /** Service ranges kept out of the kernel table (confd's /rejectcidrs). */
  rejectCidrs?: string[];
  /** IPv6 labs: confd's bird6 side (bird6.cfg, bird6_aggr, bird6_ipam), render-bird-node6.ts. */
  ipv6?: BirdConfigData6;
}

/** The IPv6 half of a node's BIRD config: its IPv6 blocks, pools and IPv6 sessions. */
export interface BirdConfigData6 {
  address: string; // the node's IPv6 address (sessions' source address)
  staticBlackholes: string[];
  exportedBlocks: string[];
  rejectedExports: string[];
  acceptedPools: string[];
  peers: BirdPeer[];
}

/** Addresses of one interface of the node, CIDR notation, in kernel order. */
export interface NodeInterface {
  ifname: string;
  addresses: string[];
}

/**
 * Which tool Felix programs the NAT side with (FelixConfiguration nftablesMode): `iptables`
 * (ipsets + the nat table) or `nftables` (table `ip calico` with named sets; render-nft.ts).
 */
export type NatDataplaneMode = 'iptables' | 'nftables';

export interface NodeDataplane {
  node: string;
  /**
   * Felix's filter table for the node's workloads (filter-felix.ts), present when the lab has
   * network policies (iptables mode only); its selector sets are in `ipsets`.
   */
  filter?: FilterTable;
  natDataplane: NatDataplaneMode;
  address: string; // the node's main address (eth0 primary)
  interfaces: NodeInterface[]; // what MASQUERADE picks a source from
  ipsets: IpSet[];
  nat: NatTable;
  routes: RouteSpec[]; // routes the runtime programs (BIRD adds blackholes and learned ones)
  bird: BirdConfigData;
  /** Tunnel devices, VTEP entries and pod MTU, when a pool encapsulates or WireGuard is on. */
  encap?: EncapDataplane;
  /** IPv6 labs: the node's IPv6 address, Felix's IPv6 sets (cali60…) and ip6tables nat table. */
  ipv6?: {
    address: string;
    ipsets: IpSet[];
    nat: NatTable;
    /**
     * FelixConfiguration ipv6Support: false: Felix programs nothing for IPv6 (no cali60 sets,
     * no IPv6 nat table in either mode); ipsets and nat are then empty (felix-ipv6-support.ts).
     */
    felixOff?: true;
    /** Felix's ip6tables filter table when the lab has policies (plan/node-filter.ts). */
    filter?: FilterTable;
  };
  /** kube-proxy in nftables mode: its table `ip kube-proxy` (then nat.kubeProxy is absent). */
  kubeProxyNft?: KubeProxyNft;
}

/** What changed between two dataplanes of one node (the service's RuleDiff). */
export interface DataplaneDiff {
  node: string;
  removed: string[]; // rendered rules (iptables-save or `nft add rule` style) no longer present
  added: string[];
  ipsetChanges: { set: string; removed: string[]; added: string[] }[];
}

/** One BGP session of the lab's router (the ToR) with a node that has a BGPPeer to it. */
export interface RouterBgpSession {
  name: string; // BIRD protocol name, "Node_<ip with underscores>"
  node: string;
  neighbor: string; // the node's address
  neighborAs: number; // the node's AS (BGPConfiguration asNumber)
  /** AS the node expects from the router (its BGPPeer asNumber): the session only comes up when it equals the router's. */
  expectedAs: number;
  /**
   * The router's address the node's BGPPeer names (a rack's: lab.fabric.racks[].routerAddress),
   * the session's local address; routerId when absent. When it is not on the node's rack (a
   * global BGPPeer at the first rack's address), the node still dials it (confd's template is
   * multihop) and the router answers from it: the node itself is on one of its bridges.
   */
  localAddress?: string;
}

/** How a BIRD config is rendered. */
export interface BirdRenderOptions {
  /**
   * `disabled;` in every `protocol bgp` block: BIRD starts without connecting (`up` starts it
   * so, before the links exist, then enables the sessions). BIRD compares `disabled` with the
   * protocol's state on the next `birdc configure`, so the change restarts no session.
   */
  sessionsDisabled?: boolean;
}

export interface RouterBirdData {
  routerId: string;
  asNumber: number;
  sessions: RouterBgpSession[];
  /** IPv6 labs: sessions with nodes whose BGPPeer points at the router's IPv6 address. */
  ipv6?: { address: string; sessions: RouterBgpSession[] };
  /** Racks with a ToR of their own (fabric.racks[].tor): the spine's eBGP sessions with them. */
  tors?: SpineTorSession[];
}
