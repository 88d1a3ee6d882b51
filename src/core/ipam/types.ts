// What IPAM decides for a lab: each node's blocks and each pod's address, as Calico's IPAM
// would hand them out. The plan carries it as is (plan/types re-exports these).

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
  /** IPv6 labs: the pod's IPv6 address, from an IPv6 pool's block (plan-ipam6.ts). */
  ipv6?: { pool: string; block: string; address: string };
}

export interface IpamPlan {
  blocks: BlockAffinity[];
  assignments: PodAssignment[];
  /** IPv6 labs: the nodes' IPv6 blocks, in claim order (kept apart so IPv4 code reads `blocks` as before). */
  blocks6?: BlockAffinity[];
  /** Present when some node has a tunnel address (IPIP, VXLAN or WireGuard). */
  tunnels?: TunnelAssignment[];
}

/** A node's tunnel address (ipam/tunnels.ts), allocated by calico-node before its pods'. */
export interface TunnelAssignment {
  node: string;
  kind: 'wireguard' | 'ipip' | 'vxlan';
  pool: string;
  block: string;
  address: string;
}
