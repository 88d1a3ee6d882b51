// Checks of a fabric with top-of-rack routers (fabric.racks[].tor, model/tor.ts), Calico's
// AS-per-rack model: the node-to-node mesh off, each node of a ToR rack peering with its ToR
// (a BGPPeer at the rack's router address, in the rack's AS), no BGPPeer sending a node to
// another rack's ToR. A node left without its ToR would have pods nobody outside can answer.
import type { Problem } from '../errors.js';
import type { BGPPeer } from '../model/calico.js';
import type { Lab, LabNode } from '../model/lab.js';
import { nodeRack } from '../model/racks.js';
import { labTors, torAt } from '../model/tor.js';
import { peerIPAddress } from '../calico/bgp.js';
import { nodeSelectorLabels } from '../calico/pool-choice.js';
import { matchesSelector } from '../calico/selector.js';
import type { SourceIndex } from './source-index.js';

/** Whether a (non-peerSelector) BGPPeer applies to the node, as confd picks them (plan/bgp.ts). */
function peerSelects(peer: BGPPeer, node: LabNode): boolean {
  if (peer.spec.peerSelector) return false;
  if (peer.spec.node) return peer.spec.node === node.name;
  if (peer.spec.nodeSelector)
    return matchesSelector(peer.spec.nodeSelector, nodeSelectorLabels(node));
  return true;
}

export function checkTors(lab: Lab, index: SourceIndex): Problem[] {
  const tors = labTors(lab);
  if (!tors.length) return [];
  const problems: Problem[] = [];
  const labProblem = (path: (string | number)[], message: string) =>
    problems.push(index.problem('Lab', lab.name, path, message));
  const rackPath = (rack: string) => {
    const i = lab.fabric.racks!.findIndex((r) => r.name === rack);
    return ['spec', 'fabric', 'racks', i, 'tor'];
  };
  const first = tors[0]!;
  if (lab.bgpConfiguration.spec.nodeToNodeMeshEnabled)
    labProblem(
      rackPath(first.rack.name),
      'with top-of-rack routers the node-to-node mesh must be off (BGPConfiguration default, nodeToNodeMeshEnabled: false): in the AS-per-rack model each node peers with its ToR only',
    );
  if (lab.fabric.ipv6Cidr !== undefined)
    labProblem(
      rackPath(first.rack.name),
      'top-of-rack routers carry IPv4 only: remove spec.fabric.ipv6Cidr or the racks[].tor',
    );

  for (const peer of lab.bgpPeers) {
    const ip = peer.spec.peerIP ? peerIPAddress(peer.spec.peerIP) : undefined;
    const rt = ip !== undefined ? torAt(lab, ip) : undefined;
    if (!rt) continue;
    const P = (path: (string | number)[], message: string) =>
      problems.push(index.problem('BGPPeer', peer.name, path, message));
    if (peer.spec.asNumber !== rt.tor.asNumber)
      P(
        ['spec', 'asNumber'],
        `asNumber ${peer.spec.asNumber} does not match the AS of rack ${rt.rack.name}'s top-of-rack router ${rt.tor.name} (${rt.tor.asNumber}): the session would never come up`,
      );
    const strangers = lab.nodes.filter(
      (n) => peerSelects(peer, n) && nodeRack(lab, n).name !== rt.rack.name,
    );
    if (strangers.length)
      P(
        [
          'spec',
          peer.spec.node
            ? 'node'
            : peer.spec.nodeSelector !== undefined
              ? 'nodeSelector'
              : 'peerIP',
        ],
        `${rt.tor.name} (${ip}) is rack ${rt.rack.name}'s top-of-rack router, but this BGPPeer also selects ${strangers.map((n) => `${n.name} (rack ${nodeRack(lab, n).name})`).join(', ')}: select the rack's nodes only, e.g. nodeSelector: rack == '${rt.rack.name}'`,
      );
  }

  lab.nodes.forEach((node, i) => {
    const rack = nodeRack(lab, node);
    if (!rack.tor) return;
    const peers = lab.bgpPeers.filter(
      (p) =>
        p.spec.peerIP &&
        peerIPAddress(p.spec.peerIP) === rack.routerAddress &&
        peerSelects(p, node),
    );
    if (!peers.length)
      labProblem(
        ['spec', 'nodes', i],
        `node ${node.name} in rack ${rack.name} has no BGPPeer with its top-of-rack router ${rack.tor.name}: add one with peerIP ${rack.routerAddress}, asNumber ${rack.tor.asNumber} and nodeSelector rack == '${rack.name}' (the node needs label rack: ${rack.name})`,
      );
  });
  return problems;
}
