// A node's encapsulation as Felix and BIRD program it, from the pools, the node's
// FelixConfiguration and IPAM's tunnel addresses:
// - VXLAN (felix/dataplane/linux/vxlan_mgr.go): vxlan.calico with the node's VTEP (tunnel
//   address /32, MAC, VNI, port, MTU, parent eth0); per remote block of a VXLAN pool a route
//   `via <remote tunnel address> dev vxlan.calico onlink`, or, for CrossSubnet towards a node
//   of the same subnet, `via <node address> dev eth0` (noEncapRoute); per remote VTEP a
//   permanent ARP entry and FDB entry (felix/vxlanfdb). The VTEP MAC is Felix's generated one
//   (felix/calc/vxlan_resolver.go vtepMACForHost: "f" + the first 5 bytes of sha1(node name)).
// - IPIP (ipip_mgr.go; confd bird_ipam.cfg.template): tunl0 with the IPIP tunnel address;
//   Calico's BIRD programs remote blocks of an IPIP pool with `krt_tunnel = "tunl0"`:
//   `via <node address> dev tunl0 onlink`, or (CrossSubnet, next hop in the node's subnet)
//   natively. The lab's BIRD 2 has no krt_tunnel, so the lab installs these same kernel routes
//   itself and BIRD's kernel filter keeps them out (render-bird-node.ts says so in the config).
// - WireGuard (wireguard_mgr.go): only the device name and MTU, for the NAT rule and the pod
//   MTU; the lab never creates the device (`up` refuses WireGuard without the module).
// - MTUs (int_dataplane.go ConfigureDefaultMTUs, determinePodMTU): each device's MTU is its
//   FelixConfiguration value or the host MTU (1500, a veth's) minus its overhead (IPIP 20,
//   VXLAN 50, WireGuard 60); pods get the smallest MTU of the enabled ones.
// "Same subnet" is the node's rack (fabric.racks): one fabric is one subnet.
import { createHash } from 'node:crypto';
import {
  DEFAULT_VXLAN_PORT,
  DEFAULT_VXLAN_VNI,
  IPIP_DEVICE,
  VXLAN_DEVICE,
  WIREGUARD_DEVICE,
} from '../dataplane/felix-tunnels.js';
import type { BirdKernelPool, EncapDataplane, VxlanPeer } from '../dataplane/types.js';
import type { IpamPlan } from '../ipam/types.js';
import type { FelixConfiguration, IPPool } from '../model/calico.js';
import type { Lab, LabNode } from '../model/lab.js';
import { nodeRack } from '../model/racks.js';
import type { RouteSpec } from './types.js';

export const HOST_MTU = 1500;
const OVERHEAD = { ipip: 20, vxlan: 50, wireguard: 60 };

const isV4 = (p: IPPool) => !p.spec.cidr.includes(':');
const on = (mode: string) => mode === 'Always' || mode === 'CrossSubnet';

/** Felix's VXLANEnabled / IPIPEnabled: some IPv4 pool (disabled or not) has the mode on. */
export function encapEnabled(lab: Pick<Lab, 'ipPools'>): { ipip: boolean; vxlan: boolean } {
  const v4 = lab.ipPools.filter(isV4);
  return {
    ipip: v4.some((p) => on(p.spec.ipipMode)),
    vxlan: v4.some((p) => on(p.spec.vxlanMode)),
  };
}

/** vxlan_resolver.go vtepMACForHost, for a Node without spec.ipv4VXLANTunnelMACAddr. */
export function vtepMac(nodeName: string): string {
  const sha = createHash('sha1').update(nodeName).digest();
  return [0x66, ...sha.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export interface NodeEncap {
  encap: EncapDataplane;
  /** Tunnel devices for cali-POSTROUTING's MASQUERADE rules, in Felix's order. */
  masqDevices: string[];
  /** Routes Felix (VXLAN) or Calico's BIRD (IPIP) programs towards remote blocks. */
  routes: RouteSpec[];
  /** Tunnel devices with their addresses (MASQUERADE and addrtype read them). */
  interfaces: { ifname: string; addresses: string[] }[];
  kernelPools: BirdKernelPool[];
}

function tunnelOf(ipam: IpamPlan, node: string, kind: 'ipip' | 'vxlan'): string | undefined {
  return ipam.tunnels?.find((t) => t.node === node && t.kind === kind)?.address;
}

/** undefined when no pool encapsulates and WireGuard is off: the node is as before. */
export function nodeEncap(
  lab: Lab,
  node: LabNode,
  ipam: IpamPlan,
  felix: FelixConfiguration,
): NodeEncap | undefined {
  const enabled = encapEnabled(lab);
  const wg = felix.spec.wireguardEnabled === true;
  if (!enabled.ipip && !enabled.vxlan && !wg) return undefined;
  const f = felix.spec;
  const mtus = {
    ipip: f.ipipMTU || HOST_MTU - OVERHEAD.ipip,
    vxlan: f.vxlanMTU || HOST_MTU - OVERHEAD.vxlan,
    wireguard: f.wireguardMTU || HOST_MTU - OVERHEAD.wireguard,
  };
  const encap: EncapDataplane = { vxlanPeers: [], routes: [], podMtu: HOST_MTU };
  const masqDevices: string[] = [];
  const interfaces: NodeEncap['interfaces'] = [];
  const ipipAddr = tunnelOf(ipam, node.name, 'ipip');
  const vxlanAddr = tunnelOf(ipam, node.name, 'vxlan');
  if (enabled.ipip && ipipAddr) {
    encap.ipip = { name: IPIP_DEVICE, mtu: mtus.ipip, address: ipipAddr };
    masqDevices.push(IPIP_DEVICE);
    interfaces.push({ ifname: IPIP_DEVICE, addresses: [`${ipipAddr}/32`] });
  }
  if (enabled.vxlan && vxlanAddr) {
    encap.vxlan = {
      name: VXLAN_DEVICE,
      vni: f.vxlanVNI ?? DEFAULT_VXLAN_VNI,
      port: f.vxlanPort ?? DEFAULT_VXLAN_PORT,
      mtu: mtus.vxlan,
      mac: vtepMac(node.name),
      address: vxlanAddr,
      parent: 'eth0',
      local: node.address,
    };
    masqDevices.push(VXLAN_DEVICE);
    interfaces.push({ ifname: VXLAN_DEVICE, addresses: [`${vxlanAddr}/32`] });
  }
  if (wg) {
    const name = f.wireguardInterfaceName || WIREGUARD_DEVICE;
    encap.wireguard = { name, mtu: mtus.wireguard };
    masqDevices.push(name);
  }
  // determinePodMTU: the smallest MTU among the enabled encapsulations, else the host's.
  const podMtus = [
    enabled.ipip ? mtus.ipip : 0,
    enabled.vxlan ? mtus.vxlan : 0,
    wg ? mtus.wireguard : 0,
  ].filter((m) => m > 0);
  if (podMtus.length) encap.podMtu = Math.min(...podMtus);

  const ownRack = nodeRack(lab, node).name;
  const byName = new Map(lab.nodes.map((n) => [n.name, n]));
  if (encap.vxlan) {
    for (const other of lab.nodes) {
      const addr = other.name !== node.name ? tunnelOf(ipam, other.name, 'vxlan') : undefined;
      if (!addr) continue;
      const peer: VxlanPeer = {
        node: other.name,
        address: addr,
        mac: vtepMac(other.name),
        dst: other.address,
      };
      encap.vxlanPeers.push(peer);
    }
  }

  const pools = new Map(lab.ipPools.map((p) => [p.name, p]));
  const routes: RouteSpec[] = [];
  for (const b of ipam.blocks) {
    if (b.node === node.name) continue;
    const pool = pools.get(b.pool);
    const other = byName.get(b.node);
    if (!pool || !other || !isV4(pool)) continue;
    const sameSubnet = nodeRack(lab, other).name === ownRack;
    if (on(pool.spec.vxlanMode) && encap.vxlan) {
      if (pool.spec.vxlanMode === 'CrossSubnet' && sameSubnet) {
        routes.push({ dst: b.cidr, via: other.address, dev: 'eth0' });
      } else {
        const vtep = tunnelOf(ipam, other.name, 'vxlan');
        if (vtep) routes.push({ dst: b.cidr, via: vtep, dev: VXLAN_DEVICE, onlink: true });
      }
    } else if (on(pool.spec.ipipMode) && enabled.ipip) {
      if (pool.spec.ipipMode === 'CrossSubnet' && sameSubnet) {
        routes.push({ dst: b.cidr, via: other.address, dev: 'eth0' });
      } else {
        routes.push({ dst: b.cidr, via: other.address, dev: IPIP_DEVICE, onlink: true });
      }
    }
  }

  // Blackholes for the node's own blocks: Felix's vxlan_mgr programs them for VXLAN blocks
  // (blackholeRoutes), since BIRD's kernel filter keeps the pool out; for IPIP blocks Calico's
  // BIRD installs them, which the lab's BIRD no longer does for that pool (see above).
  for (const b of ipam.blocks) {
    const pool = pools.get(b.pool);
    if (b.node !== node.name || !pool || !isV4(pool)) continue;
    if ((on(pool.spec.vxlanMode) && encap.vxlan) || (on(pool.spec.ipipMode) && enabled.ipip))
      routes.push({ dst: b.cidr, type: 'blackhole' });
  }

  const kernelPools: BirdKernelPool[] = lab.ipPools.filter(isV4).map((p) => ({
    cidr: p.spec.cidr,
    mode: on(p.spec.vxlanMode)
      ? 'vxlan'
      : on(p.spec.ipipMode)
        ? p.spec.ipipMode === 'CrossSubnet'
          ? 'ipip-cross-subnet'
          : 'ipip'
        : 'none',
  }));
  return { encap, masqDevices, routes, interfaces, kernelPools };
}
