// A node left without any BGP session: the mesh is off (or the node is a route reflector, which
// ignores it) and no BGPPeer gives it a peer. Calico accepts this; the node then neither learns
// nor advertises a route, which is rarely what a route reflector setup means, so the lab warns.
import { nodeSelectorLabels } from '../calico/pool-choice.js';
import { matchesSelector } from '../calico/selector.js';
import type { BGPConfiguration, BGPPeer } from '../model/calico.js';
import type { LabNode } from '../model/lab.js';

export function nodesWithoutPeers(
  nodes: readonly LabNode[],
  bgp: BGPConfiguration,
  peers: readonly BGPPeer[],
): LabNode[] {
  const sel = (expr: string, n: LabNode) => matchesSelector(expr, nodeSelectorLabels(n));
  const applies = (p: BGPPeer, n: LabNode) =>
    p.spec.nodeSelector ? sel(p.spec.nodeSelector, n) : p.spec.node ? p.spec.node === n.name : true;
  const meshMembers = bgp.spec.nodeToNodeMeshEnabled
    ? nodes.filter((n) => !n.routeReflectorClusterID)
    : [];
  return nodes.filter((n) => {
    if (meshMembers.length > 1 && meshMembers.includes(n)) return false;
    for (const p of peers) {
      if (p.spec.peerSelector) {
        const selected = nodes.filter((o) => sel(p.spec.peerSelector!, o));
        const local = nodes.filter((o) => applies(p, o));
        if (local.includes(n) && selected.some((o) => o !== n)) return false;
        if (selected.includes(n) && local.some((o) => o !== n)) return false;
      } else if (applies(p, n) && p.spec.peerIP !== n.address) return false;
    }
    return true;
  });
}
