// A node's filter table (network policy for its pods) when the lab has policies: Felix's
// chains and selector sets for the pods IPAM placed on the node (dataplane/filter-felix.ts).
// A lab without policies gets none, so its nodes keep exactly the rules they had before
// policies existed in the lab (Felix would program the same chains, accepting everything).
// nftables mode: the same data, rendered by dataplane/render-nft-filter.ts.
// cali-INPUT/cali-OUTPUT (pod <-> own node, dataplane/filter-host.ts) follow the node's
// FelixConfiguration (defaultEndpointToHostAction, VXLAN port, WireGuard) and the pools' tunnels.
import { nodeFilter, type NodeFilter } from '../dataplane/filter-felix.js';
import {
  DEFAULT_ENDPOINT_TO_HOST_ACTION,
  type HostFilterOptions,
} from '../dataplane/filter-host.js';
import { DEFAULT_VXLAN_PORT } from '../dataplane/felix-tunnels.js';
import type { FelixConfiguration } from '../model/calico.js';
import type { Lab, LabNode } from '../model/lab.js';
import { encapEnabled } from './encap.js';
import type { IpamPlan } from './types.js';

export function hostFilterOptions(lab: Lab, felix: FelixConfiguration): HostFilterOptions {
  const enabled = encapEnabled(lab);
  return {
    ipip: enabled.ipip,
    vxlan: enabled.vxlan,
    vxlanPort: felix.spec.vxlanPort ?? DEFAULT_VXLAN_PORT,
    wireguard: felix.spec.wireguardEnabled === true,
    endpointToHost: felix.spec.defaultEndpointToHostAction ?? DEFAULT_ENDPOINT_TO_HOST_ACTION,
  };
}

export function policyFilter(
  lab: Lab,
  node: LabNode,
  ipam: IpamPlan,
  felix: FelixConfiguration = lab.felixConfiguration,
  version: 4 | 6 = 4,
): NodeFilter | undefined {
  if (!lab.policies?.length) return undefined;
  const endpoints = ipam.assignments
    .filter((a) => a.node === node.name)
    .map((a) => ({ pod: a.pod, iface: a.hostIfname }));
  const addresses = new Map(
    ipam.assignments.flatMap((a) => {
      const address = version === 6 ? a.ipv6?.address : a.address;
      return address ? [[a.pod, address] as const] : [];
    }),
  );
  return nodeFilter(lab, endpoints, addresses, hostFilterOptions(lab, felix), version);
}

/**
 * The node's IPv6 filter table (dual-stack labs): Felix programs the same chains in ip6tables,
 * with the policies' IPv6 nets, `cali60s:` selector sets of the pods' IPv6 addresses and, in
 * cali-wl-to-host, the ICMPv6 a router needs (dataplane/filter-host.ts).
 */
export function policyFilter6(
  lab: Lab,
  node: LabNode,
  ipam: IpamPlan,
  felix: FelixConfiguration = lab.felixConfiguration,
): NodeFilter | undefined {
  return policyFilter(lab, node, ipam, felix, 6);
}
