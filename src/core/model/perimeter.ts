// Outside Calico's own resources: what sits between the cluster and the outside world in the
// lab. A perimeter firewall (the network's, not Calico's: it filters by the addresses it sees
// on the wire, after any SNAT on the nodes) and Calico Enterprise egress gateways (not in
// Calico Open Source; modelled on Enterprise's public docs, marked so wherever they show).

export type FirewallAction = 'Allow' | 'Deny';
/** Outbound: connections the cluster opens to the hosts; Inbound: the hosts' into the cluster. */
export type FirewallDirection = 'Outbound' | 'Inbound';

/** One rule of the perimeter firewall; every field left out matches anything. */
export interface FirewallRule {
  action: FirewallAction;
  direction: FirewallDirection;
  /** Source CIDR, as the firewall sees it (after the node's SNAT when natOutgoing is on). */
  source?: string;
  /** Destination CIDR (a host name in the file becomes its address /32). */
  destination?: string;
  protocol?: 'tcp' | 'udp' | 'icmp';
  /** tcp/udp destination ports. */
  ports?: number[];
  description?: string;
}

/** Filter rules held by the router for connections between the cluster and the hosts. */
export interface LabFirewall {
  /** The container that filters: the router (the only one on every path out). */
  on: string;
  /** What happens to a new outbound connection no rule matches. */
  defaultAction: FirewallAction;
  /** What happens to a new inbound connection no Inbound rule matches. */
  inboundDefaultAction: FirewallAction;
  rules: FirewallRule[];
}

/**
 * A Calico Enterprise egress gateway (operator.tigera.io/v1 EgressGateway, one replica): a pod
 * with an address from its own IPPool that SNATs the traffic its clients' nodes route to it.
 */
export interface LabEgressGateway {
  name: string; // the gateway pod's name
  namespace: string;
  node: string;
  ipPool: string;
  labels: Record<string, string>;
}

/** Namespace annotations Calico Enterprise reads (egress.projectcalico.org/…). */
export interface LabNamespaceAnnotations {
  name: string;
  annotations: Record<string, string>;
}

export const EGRESS_SELECTOR_ANNOTATION = 'egress.projectcalico.org/selector';
export const EGRESS_NAMESPACE_SELECTOR_ANNOTATION = 'egress.projectcalico.org/namespaceSelector';
