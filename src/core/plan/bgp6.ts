// Who peers with whom over IPv6 (confd's bird6.cfg.template, v3.30): the same rules as bgp.ts
// with the nodes' IPv6 addresses: the node-to-node mesh between the nodes' IPv6 addresses
// (`Mesh_<ipv6 with ':' as '_'>`), and every BGPPeer whose peerIP is IPv6, global or
// node-specific; bird.cfg gets the IPv4 peers, bird6.cfg the IPv6 ones. The blocks exported are
// the node's IPv6 blocks (bird6_aggr.cfg.template), the pools those of bird6_ipam.cfg.template.
import { matchesSelector } from '../calico/selector.js';
import { peerIPAddress } from '../calico/bgp.js';
import type {
  BirdConfigData6,
  BirdPeer,
  RouterBgpSession,
  RouterBirdData,
} from '../dataplane/types.js';
import type { BGPPeer } from '../model/calico.js';
import type { Lab, LabNode } from '../model/lab.js';
import type { BlockAffinity } from './types.js';
import { cidr6Within } from '../net/cidr6.js';
import { nodeSelectorLabels } from '../ipam/pool-choice.js';

/** confd's protocol names: the address with its separators as underscores (`2001::102` -> `2001__102`). */
export function birdId6(ip: string): string {
  return ip.replaceAll(':', '_').replaceAll('.', '_');
}

/** The BGPPeer's address when it is IPv6 (bird6.cfg's peers), else undefined. */
export function peerIPv6(peer: BGPPeer): string | undefined {
  const ip = peer.spec.peerIP ? peerIPAddress(peer.spec.peerIP) : undefined;
  return ip?.includes(':') ? ip : undefined;
}

function peerApplies(peer: BGPPeer, node: LabNode): 'global' | 'node' | undefined {
  if (peer.spec.peerSelector) return undefined;
  if (peer.spec.node) return peer.spec.node === node.name ? 'node' : undefined;
  if (peer.spec.nodeSelector)
    return matchesSelector(peer.spec.nodeSelector, nodeSelectorLabels(node)) ? 'node' : undefined;
  return 'global';
}

export function nodeBgpPeers6(lab: Lab, node: LabNode): BirdPeer[] {
  const me = node.ipv6Address;
  if (!me) return [];
  const peers: BirdPeer[] = [];
  const seen = new Set<string>();
  const add = (p: BirdPeer) => {
    if (seen.has(p.name)) return;
    seen.add(p.name);
    peers.push(p);
  };
  const asNumber = lab.bgpConfiguration.spec.asNumber;
  if (lab.bgpConfiguration.spec.nodeToNodeMeshEnabled) {
    for (const other of lab.nodes) {
      const ip = other.ipv6Address;
      if (!ip || ip === me) continue;
      add({
        name: `Mesh_${birdId6(ip)}`,
        neighbor: ip,
        asNumber,
        // As for IPv4, the template compares the addresses as strings: the "greater" one waits.
        passive: ip > me,
        kind: 'mesh',
        sourceAddress: me,
        origin: `node-to-node mesh: ${other.name}`,
      });
    }
  }
  for (const kind of ['global', 'node'] as const) {
    for (const peer of lab.bgpPeers) {
      const ip = peerIPv6(peer);
      if (!ip || peerApplies(peer, node) !== kind || ip === me) continue;
      add({
        name: `${kind === 'global' ? 'Global' : 'Node'}_${birdId6(ip)}`,
        neighbor: ip,
        asNumber: peer.spec.asNumber,
        passive: false,
        kind,
        sourceAddress: me,
        keepNextHop: peer.spec.keepOriginalNextHop,
        origin: `BGPPeer(${peer.name})`,
      });
    }
  }
  return peers;
}

export function nodeBirdData6(
  lab: Lab,
  node: LabNode,
  blocks6: readonly BlockAffinity[],
): BirdConfigData6 | undefined {
  if (!node.ipv6Address) return undefined;
  const v6Pools = lab.ipPools.filter((p) => p.spec.cidr.includes(':'));
  const rejected = v6Pools.filter((p) => p.spec.disableBGPExport).map((p) => p.spec.cidr);
  // bird6_aggr.cfg.template leaves /128 blocks out of the static protocol.
  const local = blocks6
    .filter((b) => b.node === node.name && !b.cidr.endsWith('/128'))
    .map((b) => b.cidr);
  return {
    address: node.ipv6Address,
    staticBlackholes: local,
    exportedBlocks: local.filter((b) => !rejected.some((r) => cidr6Within(b, r))),
    rejectedExports: rejected,
    acceptedPools: v6Pools.filter((p) => !p.spec.disableBGPExport).map((p) => p.spec.cidr),
    peers: nodeBgpPeers6(lab, node),
  };
}

/** The router's IPv6 sessions: one per node with a BGPPeer at the router's IPv6 address. */
export function routerBirdData6(lab: Lab): RouterBirdData['ipv6'] {
  const address = lab.router.ipv6Address;
  if (!address) return undefined;
  const sessions: RouterBgpSession[] = [];
  for (const node of lab.nodes) {
    if (!node.ipv6Address) continue;
    const peer = nodeBgpPeers6(lab, node).find((p) => p.kind !== 'mesh' && p.neighbor === address);
    if (!peer) continue;
    sessions.push({
      name: `Node_${birdId6(node.ipv6Address)}`,
      node: node.name,
      neighbor: node.ipv6Address,
      neighborAs: lab.bgpConfiguration.spec.asNumber,
      expectedAs: peer.asNumber,
    });
  }
  return { address, sessions };
}
