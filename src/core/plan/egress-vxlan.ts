// Calico Enterprise's egress.calico on the nodes of an egress gateway's clients and gateways:
// the device (VNI 4097 and UDP port 4790, Enterprise's defaults for egressIPVXLANVNI and
// egressIPVXLANPort, which the lab's FelixConfiguration does not take), and on a client's node
// a permanent ARP entry per gateway on another node (gateway pod address -> that node's VTEP
// MAC) with its FDB entry (MAC -> node address). The client's table then routes
// `default via <gateway pod> dev egress.calico onlink` (perimeter.ts).
// Reused from Felix's VXLAN (encap.ts): the VTEP MAC of a node (vtepMac, Felix's generated
// one) and the device's MTU (the host's minus VXLAN's 50 bytes). Enterprise gives the device an
// address of its own; its docs do not say which, and nothing the lab forwards needs it, so
// the lab's egress.calico has none (FORMAT.md says so).
import {
  DEFAULT_EGRESS_VXLAN_PORT,
  DEFAULT_EGRESS_VXLAN_VNI,
  EGRESS_VXLAN_DEVICE,
  type EgressVxlan,
} from '../dataplane/egress-vxlan-types.js';
import type { LabNode } from '../model/lab.js';
import { HOST_MTU, vtepMac } from './encap.js';

const VXLAN_OVERHEAD = 50;

/** The parts of an egress client (perimeter.ts EgressClient) this file reads. */
export interface EgressVxlanClient {
  pod: { node: string };
  gateway: { name: string };
  gatewayAddress: string;
  gatewayNode: string;
  table: number;
}

/** True when a client's packets reach its gateway over egress.calico (another node). */
export function overEgressVxlan(k: EgressVxlanClient): boolean {
  return k.pod.node !== k.gatewayNode;
}

/** undefined when no client of the node uses a gateway elsewhere and no remote client uses one here. */
export function egressVxlanOf(
  node: LabNode,
  nodes: readonly LabNode[],
  clients: readonly EgressVxlanClient[],
): EgressVxlan | undefined {
  const remote = clients.filter(overEgressVxlan);
  const sends = remote.filter((k) => k.pod.node === node.name);
  const receives = remote.some((k) => k.gatewayNode === node.name);
  if (!sends.length && !receives) return undefined;
  const addressOf = new Map(nodes.map((n) => [n.name, n.address]));
  const gateways: EgressVxlan['gateways'] = [];
  const routes: EgressVxlan['routes'] = [];
  for (const k of sends) {
    if (gateways.some((g) => g.gateway === k.gateway.name)) continue;
    routes.push({ table: k.table, via: k.gatewayAddress });
    gateways.push({
      gateway: k.gateway.name,
      node: k.gatewayNode,
      address: k.gatewayAddress,
      mac: vtepMac(k.gatewayNode),
      dst: addressOf.get(k.gatewayNode)!,
    });
  }
  return {
    device: {
      name: EGRESS_VXLAN_DEVICE,
      vni: DEFAULT_EGRESS_VXLAN_VNI,
      port: DEFAULT_EGRESS_VXLAN_PORT,
      mtu: HOST_MTU - VXLAN_OVERHEAD,
      mac: vtepMac(node.name),
      parent: 'eth0',
      local: node.address,
    },
    gateways,
    routes: routes.sort((a, b) => a.table - b.table),
  };
}
