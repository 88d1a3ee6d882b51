// Calico resources after parsing, defaulting and validation (projectcalico.org/v3).
// Field names follow Calico's own so `get ippool -o yaml` round-trips what users wrote.

export type EncapMode = 'Never' | 'Always' | 'CrossSubnet';
export type IPPoolUse = 'Workload' | 'Tunnel' | 'LoadBalancer';
export type AssignmentMode = 'Automatic' | 'Manual';

export interface IPPoolSpec {
  cidr: string; // canonical, strictly masked, e.g. "192.168.0.0/16"
  blockSize: number;
  natOutgoing: boolean;
  disabled: boolean;
  disableBGPExport: boolean;
  ipipMode: EncapMode;
  vxlanMode: EncapMode;
  nodeSelector: string; // Calico selector expression, default "all()"
  allowedUses: IPPoolUse[];
  assignmentMode: AssignmentMode;
}

export interface IPPool {
  kind: 'IPPool';
  name: string;
  labels: Record<string, string>;
  spec: IPPoolSpec;
}

export interface BGPConfiguration {
  kind: 'BGPConfiguration';
  name: string; // "default" holds the cluster-wide settings
  spec: {
    asNumber: number; // default 64512
    nodeToNodeMeshEnabled: boolean; // default true
    logSeverityScreen?: string;
    listenPort?: number;
    /** Service address ranges the nodes advertise over BGP (CIDRs; absent: not advertised). */
    serviceClusterIPs?: string[];
    serviceExternalIPs?: string[];
    serviceLoadBalancerIPs?: string[];
  };
}

export interface BGPPeer {
  kind: 'BGPPeer';
  name: string;
  spec: {
    peerIP: string;
    asNumber: number;
    node?: string; // only this node peers
    nodeSelector?: string; // only matching nodes peer
    peerSelector?: string; // peer with the nodes matching this (node-to-node)
    keepOriginalNextHop?: boolean;
    password?: { secretKeyRef: { name: string; key: string } };
  };
}

export type NftablesMode = 'Disabled' | 'Enabled' | 'Auto';

export type NatOutgoingExclusions = 'IPPoolsOnly' | 'IPPoolsAndHostIPs';

export interface FelixConfiguration {
  kind: 'FelixConfiguration';
  name: string; // "default" or "node.<nodename>"
  spec: {
    natOutgoingAddress?: string;
    iptablesNATOutgoingInterfaceFilter?: string;
    natPortRange?: string; // "min:max"
    natOutgoingExclusions?: NatOutgoingExclusions; // v3.31+
    /** As written (Calico's enum); effectiveNftables() in calico/versions.ts resolves it. */
    nftablesMode?: NftablesMode;
    /** false only: true is refused, the lab does not emulate the eBPF dataplane. */
    bpfEnabled?: boolean;
    /** Encapsulation (plan/encap.ts): the VXLAN device's VNI, UDP port and MTU; tunl0's MTU. */
    vxlanVNI?: number;
    vxlanPort?: number;
    vxlanMTU?: number;
    ipipMTU?: number;
    /** WireGuard: rendered (the MASQUERADE rule, the address), `up` refused without the module. */
    wireguardEnabled?: boolean;
    wireguardInterfaceName?: string;
    wireguardMTU?: number;
    /** false: Felix programs nothing for IPv6 (calico/felix-ipv6.ts); unset or true: it does. */
    ipv6Support?: boolean;
    /** Workload → own host after egress policy (calico/felix-host.ts, dataplane/filter-host.ts). */
    defaultEndpointToHostAction?: 'Drop' | 'Accept' | 'Return';
  };
}

export type CalicoResource = IPPool | BGPConfiguration | BGPPeer | FelixConfiguration;
