// What `explain` answers for a pod and a destination address: the decision chain a
// packet goes through, each step naming the Calico object or rule responsible.
import type { PolicyVerdict } from './policy-verdict.js';
import type { Encapsulation } from './encap.js';

export type { Encapsulation } from './encap.js';

export interface ExplainRuleRef {
  chain: string;
  index: number; // 0-based position in the chain
  hash: string; // the cali:<16 chars> comment
  text: string; // rendered rule, as iptables-save shows it (nft list on an nftables node)
}

export interface Explanation {
  /**
   * Set when an outside host sends (inbound, `explain --from HOST --to POD`): then `pod`,
   * `podAddress`, `node` and `sourcePool` describe the destination pod. Absent when a pod sends.
   */
  source?: { name: string; address: string; kind: 'host' };
  pod: string;
  podAddress: string;
  node: string;
  nodeAddress: string;
  destination: string;
  destinationName?: string; // host or pod name when the address is one of the lab's
  /** Pool holding the pod's address. */
  sourcePool: { name: string; cidr: string; natOutgoing: boolean; disabled: boolean };
  /** Pool containing the destination, if any (then no NAT). */
  destinationPool?: { name: string; cidr: string; disabled: boolean };
  /** Rules the packet matched on its way through the nat POSTROUTING hook, in order. */
  visited?: ExplainRuleRef[];
  /** The rule that translates, if any. */
  nat:
    { action: 'none' } | { action: 'masquerade' | 'snat'; rule: ExplainRuleRef; toSource: string };
  /** The source address the destination sees. */
  seenSource: string;
  seenAs: 'node' | 'pod' | 'address';
  /** Egress interface on the node (eth0, or a local pod's cali… veth). */
  outIf?: string;
  /** Towards a pod on another node with a tunnel on: encapsulated (VXLAN, IPIP) or native. */
  encapsulation?: Encapsulation;
  /** Whether the packet reaches the destination at all. */
  forward?: { ok: boolean; reason: string };
  /** Whether the network routes replies back to seenSource. */
  routeBack: { ok: boolean; reason: string };
  reply: boolean;
  /** Network policy's verdict (policy-verdict.ts), when the lab has policies. */
  policy?: PolicyVerdict;
  /** Human-readable steps, in order, for the CLI and the UI. */
  steps: string[];
  warnings: string[];
  /** The router's perimeter firewall, when the packet passes it: what it saw and decided. */
  firewall?: {
    on: string;
    saw: string; // the source address the firewall sees
    verdict: 'allow' | 'deny';
    rule: string; // "rule 2: …" or "defaultAction Deny"
    index: number; // 1-based in the chain (after the established-flows rule)
    text: string;
  };
  /** Calico Enterprise egress gateway the pod's outbound traffic goes through. */
  egressGateway?: {
    name: string;
    address: string;
    node: string;
    ipPool: string;
    table: number;
    selectedBy: 'pod' | 'namespace';
    enterprise: true;
  };
  /** 6 when the explanation is of the IPv6 flow (IPv6 labs, explain6.ts); absent for IPv4. */
  ipVersion?: 6;
}
