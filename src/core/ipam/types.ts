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
  /**
   * The node whose block the address was borrowed from (strictAffinity false and no free block
   * left, or an ipAddrs address in another node's block); absent for the node's own block.
   */
  borrowedFrom?: string;
}

export interface IpamPlan {
  blocks: BlockAffinity[];
  assignments: PodAssignment[];
}
