// Dataplane data for what sits outside Felix's chains: the router's perimeter firewall (a
// filter chain) and Calico Enterprise egress gateways (policy routing on the nodes, SNAT in the
// gateway pod). Values only; render-perimeter.ts turns them into the tools' input.

/** One rule of the firewall chain; fields left out match anything. */
export interface FirewallFilterRule {
  source?: string; // CIDR
  destination?: string; // CIDR
  protocol?: 'tcp' | 'udp' | 'icmp';
  ports?: number[];
  verdict: 'ACCEPT' | 'DROP';
  /** "rule 1: …" or "defaultAction Deny": the comment iptables lists with the counters. */
  comment: string;
}

/** The router's filter chain, jumped to from FORWARD for packets routed out of the fabric. */
export interface FirewallTable {
  chain: string; // egress-lab-fw
  /** The fabric bridge: the chain sees packets coming in on it and leaving on another interface. */
  inInterface: string;
  /** After the first rule, which accepts packets of established flows (replies). */
  rules: FirewallFilterRule[];
  /**
   * Connections the hosts open into the cluster: a second chain, jumped to from FORWARD for
   * packets leaving on the fabric bridge that came in elsewhere (`-o br0 ! -i br0`). Absent when
   * the lab filters nothing inbound (no Inbound rule, inboundDefaultAction Allow).
   */
  inbound?: { chain: string; rules: FirewallFilterRule[] };
}

/** A routing table on a node: client traffic leaving the cluster goes to the gateway. */
export interface EgressTable {
  id: number;
  /** Destinations that stay in the cluster: looked up in the main table instead (`throw`). */
  throws: string[];
  /** The gateway pod: on its veth (gateway on this node) or over egress.calico (`onlink`). */
  via: string;
  dev: string;
}

/** Calico Enterprise egress gateway dataplane of one container (a node, or the gateway pod). */
export interface EgressDataplane {
  /** `ip rule add from <from> lookup <table> pref <priority>` (nodes). */
  rules: { from: string; table: number; priority: number }[];
  tables: EgressTable[];
  /** Nodes: the clients' own addresses leave without the node's natOutgoing SNAT. */
  natExempt: { clients: string[]; clusterCidrs: string[] };
  /** The gateway pod: SNAT of everything it forwards to its own address. */
  snatTo?: string;
}

export const FIREWALL_CHAIN = 'egress-lab-fw';
export const FIREWALL_INBOUND_CHAIN = 'egress-lab-fw-in';
export const EGRESS_NAT_CHAIN = 'egress-lab-egw';
/** Priority of the lab's egress ip rules (below the main table's 32766). */
export const EGRESS_RULE_PRIORITY = 105;
export const EGRESS_TABLE_BASE = 200;
