// A node's tunnel devices and the entries Felix keeps for them, as data (rendered for the
// runtime by render-encap.ts). Felix's sources: felix/dataplane/linux/vxlan_mgr.go (device,
// routes via the remote VTEP), felix/vxlanfdb (ARP and FDB entries), ipip_mgr.go (tunl0),
// wireguard_mgr.go, int_dataplane.go (MTUs).
import type { EgressVxlan } from './egress-vxlan-types.js';

/** vxlan.calico: VNI, port, MAC and MTU as Felix creates it, the tunnel address on it (/32). */
export interface VxlanDevice {
  name: string; // "vxlan.calico"
  vni: number; // FelixConfiguration vxlanVNI, default 4096
  port: number; // vxlanPort, default 4789
  mtu: number; // vxlanMTU, default the host MTU - 50
  mac: string; // the node's VTEP MAC (Felix: "f" + sha1(node name)[0:5] unless set on the Node)
  address: string; // the node's VXLAN tunnel address, plain
  parent: string; // the device carrying the outer packets ("eth0")
  local: string; // the outer source: the node's address
}

/** tunl0: the IPIP device with the node's IPIP tunnel address (/32). */
export interface IpipDevice {
  name: string; // "tunl0"
  mtu: number; // ipipMTU, default the host MTU - 20
  address: string;
}

/** A remote VTEP: `ip neigh` (tunnel address -> MAC) and `bridge fdb` (MAC -> node address). */
export interface VxlanPeer {
  node: string;
  address: string; // the remote tunnel address
  mac: string;
  dst: string; // the remote node's address (outer destination)
}

export interface TunnelRoute {
  dst: string;
  via: string; // the remote VTEP (VXLAN) or the remote node's address (IPIP)
  dev: string;
}

export interface EncapDataplane {
  vxlan?: VxlanDevice;
  ipip?: IpipDevice;
  /** wireguard.cali (name from wireguardInterfaceName): rendered only, never created by the lab. */
  wireguard?: { name: string; mtu: number };
  vxlanPeers: VxlanPeer[];
  /** Routes on a tunnel device, applied with it: `<block> via <gateway> dev <device> onlink`. */
  routes: TunnelRoute[];
  /** The MTU the CNI plugin gives pod interfaces (Felix's determinePodMTU). */
  podMtu: number;
  /** Calico Enterprise egress gateways: egress.calico (egress-vxlan-types.ts). */
  egress?: EgressVxlan;
}

/** How confd's kernel filter treats one pool (bird_ipam.cfg.template calico_kernel_programming). */
export interface BirdKernelPool {
  cidr: string;
  /** vxlan: rejected (Felix programs the routes); ipip / ipip-cross-subnet: krt_tunnel; none. */
  mode: 'vxlan' | 'ipip' | 'ipip-cross-subnet' | 'none';
}
