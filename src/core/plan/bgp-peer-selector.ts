// BGPPeers with a peerSelector: the nodes it selects become peers of the nodes the BGPPeer
// applies to, and (automatic reverse peering) those nodes peer back (confd
// pkg/backends/calico/client.go updatePeersV1, v3.30: forward peerings first, global before
// node-specific, then the reverse ones, each peer address once). A route reflector (its node has
// routeReflectorClusterID) marks same-AS peers outside its cluster as its clients
// (bird.cfg.template: `rr client; rr cluster id`); the node with the higher address waits
// (`passive on`) as between Calico nodes.
import { matchesSelector } from '../calico/selector.js';
import { birdId } from '../dataplane/bird-names.js';
import type { BirdPeer } from '../dataplane/types.js';
import { nodeSelectorLabels } from '../ipam/pool-choice.js';
import type { BGPPeer } from '../model/calico.js';
import type { Lab, LabNode } from '../model/lab.js';

function matching(lab: Lab, selector: string): LabNode[] {
  return lab.nodes.filter((n) => matchesSelector(selector, nodeSelectorLabels(n)));
}

/** The nodes a BGPPeer applies to (its node / nodeSelector; all nodes when both are empty). */
function localNodes(lab: Lab, peer: BGPPeer): LabNode[] {
  if (peer.spec.nodeSelector) return matching(lab, peer.spec.nodeSelector);
  if (peer.spec.node) return lab.nodes.filter((n) => n.name === peer.spec.node);
  return lab.nodes;
}

export function selectorPeers(lab: Lab, node: LabNode): BirdPeer[] {
  const asNumber = lab.bgpConfiguration.spec.asNumber;
  const out: BirdPeer[] = [];
  const seen = new Set<string>();
  const add = (other: LabNode, peer: BGPPeer, global: boolean) => {
    if (other.address === node.address || seen.has(other.address)) return;
    seen.add(other.address);
    const p: BirdPeer = {
      name: `${global ? 'Global' : 'Node'}_${birdId(other.address)}`,
      neighbor: other.address,
      asNumber,
      // The template compares the addresses as strings, as for the mesh.
      passive: other.address > node.address,
      kind: global ? 'global' : 'node',
      sourceAddress: node.address,
      origin: `BGPPeer(${peer.name})${global ? '' : ' peerSelector'}`,
    };
    const own = node.routeReflectorClusterID;
    if (own && other.routeReflectorClusterID !== own) p.rrClusterId = own;
    out.push(p);
  };
  const withSelector = lab.bgpPeers.filter((p) => p.spec.peerSelector);
  for (const globalPass of [true, false]) {
    for (const peer of withSelector) {
      const global = !peer.spec.node && !peer.spec.nodeSelector;
      if (global !== globalPass) continue;
      if (!localNodes(lab, peer).some((n) => n.name === node.name)) continue;
      for (const other of matching(lab, peer.spec.peerSelector!)) add(other, peer, global);
    }
  }
  // Reverse peerings: this node is selected by the peerSelector; it peers with the local nodes.
  for (const peer of withSelector) {
    if (!matching(lab, peer.spec.peerSelector!).some((n) => n.name === node.name)) continue;
    for (const other of localNodes(lab, peer)) add(other, peer, false);
  }
  return out;
}
