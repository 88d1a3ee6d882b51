// What the topology draws for encapsulation and racks, read from the plan's data (never from
// rendered text): the racks with their nodes, one tunnel per pair of nodes that encapsulate
// between each other, and the WireGuard device of each node that has it.
// A pair is tunnelled when one node routes a block of the other over a tunnel device
// (encap.routes, as Felix's vxlan_mgr.go or Calico's BIRD with krt_tunnel program them), so
// CrossSubnet pairs within a rack (routed natively on eth0) get no tunnel.
import { labRacks, nodeRack } from '../model/racks.js';
import type { LabPlan } from './types.js';

export interface RackView {
  name: string;
  cidr: string;
  nodes: string[];
}

export interface TunnelView {
  /** The two nodes, in the lab's node order. */
  a: string;
  b: string;
  kind: 'vxlan' | 'ipip';
  device: string;
  vni?: number;
  port?: number;
  /** e.g. "VXLAN VNI 4096 :4789" or "IPIP". */
  label: string;
}

export interface WireguardView {
  node: string;
  device: string;
  mtu: number;
}

export interface LabTunnels {
  racks: RackView[];
  tunnels: TunnelView[];
  wireguard: WireguardView[];
}

export function tunnelLabel(t: Pick<TunnelView, 'kind' | 'vni' | 'port'>): string {
  return t.kind === 'vxlan' ? `VXLAN VNI ${t.vni} :${t.port}` : 'IPIP';
}

export function labTunnels(plan: LabPlan): LabTunnels {
  const lab = plan.lab;
  const order = lab.nodes.map((n) => n.name);
  const racks: RackView[] = labRacks(lab).map((r) => ({
    name: r.name,
    cidr: r.cidr,
    nodes: lab.nodes.filter((n) => nodeRack(lab, n).name === r.name).map((n) => n.name),
  }));
  const nodeAt = new Map(lab.nodes.map((n) => [n.address.split('/')[0]!, n.name]));
  const tunnels = new Map<string, TunnelView>();
  const wireguard: WireguardView[] = [];
  for (const c of plan.containers) {
    const enc = c.role === 'node' ? c.dataplane?.encap : undefined;
    if (!enc) continue;
    if (enc.wireguard)
      wireguard.push({ node: c.name, device: enc.wireguard.name, mtu: enc.wireguard.mtu });
    const vtepAt = new Map(enc.vxlanPeers.map((p) => [p.address, p.node]));
    for (const r of enc.routes) {
      const vx = enc.vxlan && r.dev === enc.vxlan.name ? enc.vxlan : undefined;
      const ipip = enc.ipip && r.dev === enc.ipip.name ? enc.ipip : undefined;
      const peer = vx ? vtepAt.get(r.via) : ipip ? nodeAt.get(r.via) : undefined;
      if (!peer || peer === c.name) continue;
      const [a, b] = [c.name, peer].sort((x, y) => order.indexOf(x) - order.indexOf(y)) as [
        string,
        string,
      ];
      const kind = vx ? 'vxlan' : 'ipip';
      const key = `${a}|${b}|${kind}`;
      if (tunnels.has(key)) continue;
      const t: Omit<TunnelView, 'label'> = vx
        ? { a, b, kind, device: vx.name, vni: vx.vni, port: vx.port }
        : { a, b, kind, device: ipip!.name };
      tunnels.set(key, { ...t, label: tunnelLabel(t) });
    }
  }
  const sorted = [...tunnels.values()].sort(
    (x, y) =>
      order.indexOf(x.a) - order.indexOf(y.a) ||
      order.indexOf(x.b) - order.indexOf(y.b) ||
      x.kind.localeCompare(y.kind),
  );
  return { racks, tunnels: sorted, wireguard };
}
