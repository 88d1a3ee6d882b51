// A node's filter table (network policy for its pods) when the lab has policies: Felix's
// chains and selector sets for the pods IPAM placed on the node (dataplane/filter-felix.ts).
// A lab without policies gets none, so its nodes keep exactly the rules they had before
// policies existed in the lab (Felix would program the same chains, accepting everything).
// nftables mode: the same data, rendered by dataplane/render-nft-filter.ts.
import { nodeFilter, type NodeFilter } from '../dataplane/filter-felix.js';
import type { Lab, LabNode } from '../model/lab.js';
import type { IpamPlan } from './types.js';

export function policyFilter(lab: Lab, node: LabNode, ipam: IpamPlan): NodeFilter | undefined {
  if (!lab.policies?.length) return undefined;
  const endpoints = ipam.assignments
    .filter((a) => a.node === node.name)
    .map((a) => ({ pod: a.pod, iface: a.hostIfname }));
  const addresses = new Map(ipam.assignments.map((a) => [a.pod, a.address]));
  return nodeFilter(lab, endpoints, addresses);
}
