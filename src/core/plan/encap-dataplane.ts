// Adds a node's encapsulation (encap.ts) to its dataplane: the tunnel devices and their
// addresses, the routes on eth0 (CrossSubnet, same subnet) with the others, the routes on
// tunnel devices with the devices (render-encap.ts: they exist only once the device does),
// Felix's tunnel MASQUERADE rules at the end of cali-POSTROUTING, the tunnel ipsets, and
// BIRD's kernel filter per pool.
import { parseCalicoVersion } from '../calico/versions.js';
import { CHAIN_POSTROUTING } from '../dataplane/felix-nat.js';
import {
  masqPortRangeExcluding,
  tunnelIpSets,
  tunnelMasqRules,
} from '../dataplane/felix-tunnels.js';
import type { NodeDataplane } from '../dataplane/types.js';
import type { IpamPlan } from '../ipam/types.js';
import type { FelixConfiguration } from '../model/calico.js';
import type { Lab, LabNode } from '../model/lab.js';
import { nodeRack } from '../model/racks.js';
import { encapEnabled, nodeEncap } from './encap.js';

/** release-v3.33's static.go: the UDP rule that keeps masquerade off the VXLAN port. */
function excludesVxlanPort(calicoVersion: string): boolean {
  const v = parseCalicoVersion(calicoVersion);
  return !!v && v[1] >= 33;
}

export function withEncap(
  dp: NodeDataplane,
  lab: Lab,
  node: LabNode,
  ipam: IpamPlan,
  felix: FelixConfiguration,
): void {
  const enc = nodeEncap(lab, node, ipam, felix);
  if (!enc) return;
  dp.encap = enc.encap;
  dp.interfaces.push(...enc.interfaces);
  dp.routes.push(...enc.routes.filter((r) => r.dev === 'eth0' || r.type === 'blackhole'));
  for (const r of enc.routes)
    if (r.dev && r.dev !== 'eth0' && r.via)
      dp.encap.routes.push({ dst: r.dst, via: r.via, dev: r.dev });
  const enabled = encapEnabled(lab);
  const udpPorts =
    enabled.vxlan && excludesVxlanPort(lab.calicoVersion)
      ? masqPortRangeExcluding(felix.spec.vxlanPort ?? 4789)
      : undefined;
  const post = dp.nat.chains.find((c) => c.name === CHAIN_POSTROUTING);
  post?.rules.push(...tunnelMasqRules(enc.masqDevices, udpPorts || undefined));
  const have = new Set(dp.ipsets.map((s) => s.name));
  const sets = tunnelIpSets(
    enabled.ipip,
    enabled.vxlan,
    lab.nodes.map((n) => n.address),
    enc.encap.vxlanPeers.map((p) => p.dst),
  );
  dp.ipsets.push(...sets.filter((s) => !have.has(s.name)));
  dp.bird.kernelPools = enc.kernelPools;
  dp.bird.network = nodeRack(lab, node).cidr;
}
