// Calico Enterprise's egress gateway VXLAN device, as data: a client's node carries the client's
// packets to a gateway on another node inside VXLAN on a device of their own, `egress.calico`,
// separate from Felix's `vxlan.calico` (its own VNI and UDP port: FelixConfiguration
// egressIPVXLANVNI, default 4097, and egressIPVXLANPort, default 4790, in Enterprise's Felix
// configuration reference). Rendered with the node's other tunnels (render-encap.ts).
export const EGRESS_VXLAN_DEVICE = 'egress.calico';
export const DEFAULT_EGRESS_VXLAN_VNI = 4097;
export const DEFAULT_EGRESS_VXLAN_PORT = 4790;

/**
 * egress.calico on one node. No address of its own: the next hop of a client's table is the
 * gateway pod's address (`onlink`), resolved by a permanent ARP entry to the gateway node's
 * VTEP MAC, whose FDB entry names the gateway node's address as the outer destination.
 */
export interface EgressVxlan {
  device: {
    name: string; // "egress.calico"
    vni: number;
    port: number;
    mtu: number;
    mac: string; // the node's VTEP MAC
    parent: string; // "eth0"
    local: string; // the outer source: the node's address
  };
  /** One per gateway on another node that a client of this node uses. */
  gateways: {
    gateway: string; // the gateway pod
    node: string; // its node
    address: string; // the gateway pod's address: the tables' next hop
    mac: string; // the gateway node's VTEP MAC
    dst: string; // the gateway node's address (outer destination)
  }[];
  /**
   * The clients' tables' `default via <gateway pod> dev egress.calico onlink`, applied with the
   * device (as vxlan.calico's routes are): at `up` the wiring adds the other routes, in parallel
   * with the node's first apply, which makes the device.
   */
  routes: { table: number; via: string }[];
}
