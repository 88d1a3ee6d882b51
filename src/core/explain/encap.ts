// How a packet from a node reaches a pod on another node when a tunnel is on: the node's own
// routes (plan/encap.ts, as Felix or Calico's BIRD program them) decide — through
// vxlan.calico to the remote VTEP (outer UDP between the node addresses), through tunl0 to the
// remote node (outer IP protocol 4), or natively on eth0 (CrossSubnet, same subnet).
import type { PodAssignment } from '../ipam/types.js';
import { cidrContains } from '../net/cidr.js';
import type { LabPlan } from '../plan/types.js';

export interface Encapsulation {
  kind: 'vxlan' | 'ipip' | 'none';
  device: string;
  outerSource: string;
  outerDestination: string;
  /** VXLAN: UDP port and VNI. */
  port?: number;
  vni?: number;
  /** The MTU pods have on this node (Felix's pod MTU). */
  podMtu: number;
}

/** undefined when the node has no route of a tunnel's for the pod (BGP decides, as before). */
export function encapPath(
  plan: LabPlan,
  fromNode: string,
  dst: PodAssignment,
): { encapsulation: Encapsulation; reason: string } | undefined {
  const dp = plan.containers.find((c) => c.name === fromNode)?.dataplane;
  const e = dp?.encap;
  if (!dp || !e || dst.node === fromNode) return undefined;
  const tunnel = e.routes.find((r) => cidrContains(r.dst, dst.address));
  if (tunnel && e.vxlan && tunnel.dev === e.vxlan.name) {
    const peer = e.vxlanPeers.find((p) => p.address === tunnel.via);
    if (!peer) return undefined;
    return {
      encapsulation: {
        kind: 'vxlan',
        device: e.vxlan.name,
        outerSource: dp.address,
        outerDestination: peer.dst,
        port: e.vxlan.port,
        vni: e.vxlan.vni,
        podMtu: e.podMtu,
      },
      reason: `${fromNode} routes ${tunnel.dst} via ${tunnel.via} dev ${e.vxlan.name} onlink (Felix, VXLAN): encapsulated in UDP ${dp.address} -> ${peer.dst}:${e.vxlan.port}, VNI ${e.vxlan.vni}`,
    };
  }
  if (tunnel && e.ipip && tunnel.dev === e.ipip.name) {
    return {
      encapsulation: {
        kind: 'ipip',
        device: e.ipip.name,
        outerSource: dp.address,
        outerDestination: tunnel.via,
        podMtu: e.podMtu,
      },
      reason: `${fromNode} routes ${tunnel.dst} via ${tunnel.via} dev ${e.ipip.name} onlink (BIRD's krt_tunnel, IPIP): encapsulated in IP-in-IP ${dp.address} -> ${tunnel.via}`,
    };
  }
  const native = dp.routes.find(
    (r) => r.dev === 'eth0' && r.via && r.dst !== 'default' && cidrContains(r.dst, dst.address),
  );
  if (native)
    return {
      encapsulation: {
        kind: 'none',
        device: 'eth0',
        outerSource: dp.address,
        outerDestination: native.via!,
        podMtu: e.podMtu,
      },
      reason: `${fromNode} routes ${native.dst} via ${native.via} dev eth0: same subnet, so CrossSubnet sends it natively`,
    };
  return undefined;
}
