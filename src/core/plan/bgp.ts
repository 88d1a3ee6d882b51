// Who peers with whom (confd's bird.cfg.template, v3.30): the node-to-node mesh when
// BGPConfiguration nodeToNodeMeshEnabled, plus BGPPeers: global (no node, no nodeSelector)
// -> `Global_<ip>`, node-specific (node or nodeSelector) -> `Node_<ip>`. A peer whose address
// is the node's own is skipped, as in the template. peerSelector peers: ./bgp-peer-selector.ts.
import { matchesSelector } from '../calico/selector.js';
import { ipv6OnlyLab } from '../model/ip-families.js';
import { birdId } from '../dataplane/bird-names.js';
import type {
  BirdConfigData,
  BirdPeer,
  RouterBgpSession,
  RouterBirdData,
} from '../dataplane/types.js';
import type { BGPPeer } from '../model/calico.js';
import type { Lab, LabNode } from '../model/lab.js';
import type { BlockAffinity } from './types.js';
import { cidrWithin } from '../net/cidr.js';
import { nodeSelectorLabels } from '../ipam/pool-choice.js';
import { selectorPeers } from './bgp-peer-selector.js';
import { nodeRack, routerAddresses } from '../model/racks.js';
import { nodeAsNumber } from '../model/tor.js';
import { nodeBirdData6, peerIPv6, routerBirdData6 } from './bgp6.js';

function peerApplies(peer: BGPPeer, node: LabNode): 'global' | 'node' | undefined {
  if (peer.spec.peerSelector) return undefined;
  if (peer.spec.node) return peer.spec.node === node.name ? 'node' : undefined;
  if (peer.spec.nodeSelector)
    return matchesSelector(peer.spec.nodeSelector, nodeSelectorLabels(node)) ? 'node' : undefined;
  return 'global';
}

export function nodeBgpPeers(lab: Lab, node: LabNode): BirdPeer[] {
  // IPv6-only labs: calico-node runs with IP=none, its Node has no bgp.ipv4Address and confd
  // renders no IPv4 peer (lab-ipv6-only.ts); the IPv6 peers are bgp6.ts's.
  if (ipv6OnlyLab(lab)) return [];
  const peers: BirdPeer[] = [];
  const asNumber = lab.bgpConfiguration.spec.asNumber;
  const seen = new Set<string>();
  const add = (p: BirdPeer) => {
    if (seen.has(p.name)) return;
    seen.add(p.name);
    peers.push(p);
  };
  // A route reflector ignores the mesh; the others skip route reflectors in it (bird.cfg.template).
  if (lab.bgpConfiguration.spec.nodeToNodeMeshEnabled && !node.routeReflectorClusterID) {
    for (const other of lab.nodes) {
      if (other.address === node.address) continue; // Skipping ourselves
      if (other.routeReflectorClusterID) continue;
      add({
        name: `Mesh_${birdId(other.address)}`,
        neighbor: other.address,
        asNumber,
        // The template compares the addresses as strings: the "greater" one waits.
        passive: other.address > node.address,
        kind: 'mesh',
        sourceAddress: node.address,
        origin: `node-to-node mesh: ${other.name}`,
      });
    }
  }
  for (const kind of ['global', 'node'] as const) {
    for (const peer of lab.bgpPeers) {
      if (peerApplies(peer, node) !== kind || peer.spec.peerIP === node.address) continue;
      if (peerIPv6(peer)) continue; // bird6's (bgp6.ts)
      add({
        name: `${kind === 'global' ? 'Global' : 'Node'}_${birdId(peer.spec.peerIP)}`,
        neighbor: peer.spec.peerIP,
        asNumber: peer.spec.asNumber,
        passive: false,
        kind,
        sourceAddress: node.address,
        keepNextHop: peer.spec.keepOriginalNextHop,
        origin: `BGPPeer(${peer.name})`,
      });
    }
  }
  for (const p of selectorPeers(lab, node)) add(p);
  return peers;
}

export function nodeBirdData(
  lab: Lab,
  node: LabNode,
  blocks: BlockAffinity[],
  blocks6: BlockAffinity[] = [],
): BirdConfigData {
  const ipv6 = nodeBirdData6(lab, node, blocks6);
  const v4Pools = lab.ipPools.filter((p) => !p.spec.cidr.includes(':'));
  const rejected = v4Pools.filter((p) => p.spec.disableBGPExport).map((p) => p.spec.cidr);
  // bird_aggr.cfg.template leaves /32 blocks out of the static protocol.
  const local = blocks
    .filter((b) => b.node === node.name && !b.cidr.endsWith('/32'))
    .map((b) => b.cidr);
  return {
    routerId: node.address,
    asNumber: nodeAsNumber(lab, node), // the rack's AS in a rack with a ToR (model/tor.ts)
    staticBlackholes: local,
    exportedBlocks: local.filter((b) => !rejected.some((r) => cidrWithin(b, r))),
    rejectedExports: rejected,
    acceptedPools: v4Pools.filter((p) => !p.spec.disableBGPExport).map((p) => p.spec.cidr),
    peers: nodeBgpPeers(lab, node),
    ...(lab.bgpConfiguration.spec.listenPort
      ? { listenPort: lab.bgpConfiguration.spec.listenPort }
      : {}),
    ...(ipv6 ? { ipv6 } : {}),
  };
}

/**
 * The router's side: a session with every node that has a BGPPeer at one of the router's
 * addresses (with racks: any rack's routerAddress), from the address the node names.
 */
export function routerBirdData(lab: Lab): RouterBirdData {
  const sessions: RouterBgpSession[] = [];
  const addresses = routerAddresses(lab);
  for (const node of lab.nodes) {
    // The node's own rack's address first: a real node reaches its ToR there.
    const own = nodeRack(lab, node).routerAddress;
    const peers = nodeBgpPeers(lab, node).filter(
      (p) => p.kind !== 'mesh' && addresses.includes(p.neighbor),
    );
    const peer = peers.find((p) => p.neighbor === own) ?? peers[0];
    if (!peer) continue;
    sessions.push({
      name: `Node_${birdId(node.address)}`,
      node: node.name,
      neighbor: node.address,
      neighborAs: nodeAsNumber(lab, node),
      expectedAs: peer.asNumber,
      ...(peer.neighbor !== lab.router.address ? { localAddress: peer.neighbor } : {}),
    });
  }
  const ipv6 = routerBirdData6(lab);
  return {
    routerId: lab.router.address,
    asNumber: lab.router.asNumber,
    sessions,
    ...(ipv6 ? { ipv6 } : {}),
  };
}
