// BGP in a fabric of racks with their own top-of-rack routers (model/tor.ts), Calico's AS-per-rack
// model: each node of such a rack peers (iBGP, the rack's AS) with its ToR at the rack's router
// address, through a BGPPeer as Calico's docs write it (nodeSelector `rack == '…'`); the ToR
// reflects the rack's routes and speaks eBGP with the spine. Who peers with whom, which
// sessions come up, and what the spine learns through the ToRs (for explain and `up`'s wait).
import { birdId } from '../dataplane/bird-names.js';
import type { SpineTorSession, TorBirdData, TorNodeSession } from '../dataplane/tor-types.js';
import type { Lab, LabNode } from '../model/lab.js';
import { nodeRack } from '../model/racks.js';
import { labTors, nodeAsNumber, torAt, type RackTor } from '../model/tor.js';
import { nodeBgpPeers } from './bgp.js';
import type { ContainerPlan, LabPlan } from './types.js';

/** The BIRD name of the spine's session with a ToR, and the ToR's with the spine. */
export const SPINE_PROTOCOL = 'Spine';

/** The ToR's sessions with its rack's nodes whose BGPPeer names its address. */
function torNodeSessions(lab: Lab, rt: RackTor): TorNodeSession[] {
  const out: TorNodeSession[] = [];
  for (const node of lab.nodes) {
    if (nodeRack(lab, node).name !== rt.rack.name) continue;
    const peer = nodeBgpPeers(lab, node).find(
      (p) => p.kind !== 'mesh' && p.neighbor === rt.rack.routerAddress,
    );
    if (!peer) continue;
    out.push({
      name: `Node_${birdId(node.address)}`,
      node: node.name,
      neighbor: node.address,
      neighborAs: nodeAsNumber(lab, node),
      expectedAs: peer.asNumber,
    });
  }
  return out;
}

export function torBirdData(lab: Lab, rt: RackTor): TorBirdData {
  return {
    rack: rt.rack.name,
    rackCidr: rt.rack.cidr,
    routerId: rt.rack.routerAddress,
    asNumber: rt.tor.asNumber,
    exportPodBlocks: rt.tor.exportPodBlocks,
    sessions: torNodeSessions(lab, rt),
    spine: {
      name: SPINE_PROTOCOL,
      neighbor: rt.tor.uplink.spine,
      asNumber: lab.router.asNumber,
      localAddress: rt.tor.uplink.tor,
    },
  };
}

/** The spine's eBGP sessions, one per ToR. */
export function spineTorSessions(lab: Lab): SpineTorSession[] {
  return labTors(lab).map(({ rack, tor }) => ({
    name: `Tor_${birdId(tor.uplink.tor)}`,
    tor: tor.name,
    rack: rack.name,
    neighbor: tor.uplink.tor,
    neighborAs: tor.asNumber,
    localAddress: tor.uplink.spine,
  }));
}

function torContainer(plan: LabPlan, rack: string): ContainerPlan | undefined {
  return plan.containers.find((c) => c.torBgp?.rack === rack);
}

/** Whether node `name`'s session with its rack's ToR comes up, and why not (undefined: no ToR). */
export function torSessionState(
  plan: LabPlan,
  name: string,
): { up: boolean; reason: string; tor: string } | undefined {
  const node = plan.lab.nodes.find((n) => n.name === name);
  if (!node || !plan.lab.fabric.racks) return undefined;
  const rack = nodeRack(plan.lab, node);
  const c = rack.tor && torContainer(plan, rack.name);
  if (!rack.tor || !c?.torBgp) return undefined;
  const tor = rack.tor.name;
  const s = c.torBgp.sessions.find((x) => x.node === name);
  if (!s)
    return {
      up: false,
      tor,
      reason: `no BGPPeer makes ${name} peer with its top-of-rack router ${tor} (${rack.routerAddress})`,
    };
  if (s.expectedAs !== c.torBgp.asNumber)
    return {
      up: false,
      tor,
      reason: `the BGPPeer for ${name} expects AS ${s.expectedAs} but ${tor} is AS ${c.torBgp.asNumber}: the session never establishes`,
    };
  return { up: true, tor, reason: `${name} peers with ${tor} (AS ${c.torBgp.asNumber}, iBGP)` };
}

/**
 * The state of a node's BGP protocol towards a ToR address (undefined: not a ToR's): up when
 * the ToR peers back (its own rack's node, the AS agrees).
 */
export function torPeerState(
  plan: LabPlan,
  node: string,
  neighbor: string,
): { up: boolean; reason: string } | undefined {
  const rt = torAt(plan.lab, neighbor);
  if (!rt) return undefined;
  const n = plan.lab.nodes.find((x) => x.name === node);
  if (n && nodeRack(plan.lab, n).name !== rt.rack.name)
    return {
      up: false,
      reason: `${rt.tor.name} peers only with the nodes of rack ${rt.rack.name}`,
    };
  return torSessionState(plan, node) ?? { up: false, reason: `${rt.tor.name} is not planned` };
}

/** Blocks node `name` learns from its rack-mates through their ToR (`rr client`, next hop kept). */
export function torReflected(
  plan: LabPlan,
  name: string,
): { cidr: string; via: string; node: string; tor: string }[] {
  const me = torSessionState(plan, name);
  if (!me?.up) return [];
  const out: { cidr: string; via: string; node: string; tor: string }[] = [];
  for (const n of plan.containers) {
    if (n.role !== 'node' || !n.dataplane || n.name === name) continue;
    const st = torSessionState(plan, n.name);
    if (!st?.up || st.tor !== me.tor) continue;
    for (const cidr of n.dataplane.bird.exportedBlocks)
      out.push({ cidr, via: n.dataplane.address, node: n.name, tor: me.tor });
  }
  return out;
}

/** The routes BIRD installs in a ToR: each peering node's blocks, via the node. */
export function torKernelRoutes(plan: LabPlan, tor: string): { cidr: string; via: string }[] {
  const out: { cidr: string; via: string }[] = [];
  for (const n of plan.containers) {
    if (n.role !== 'node' || !n.dataplane) continue;
    const st = torSessionState(plan, n.name);
    if (!st?.up || st.tor !== tor) continue;
    for (const cidr of n.dataplane.bird.exportedBlocks)
      out.push({ cidr, via: n.dataplane.address });
  }
  return out;
}

/** What the spine learns from the ToRs: each exporting ToR's nodes' blocks, via its uplink. */
export function torLearned(
  plan: LabPlan,
): { cidr: string; via: string; node: string; tor: string }[] {
  const out: { cidr: string; via: string; node: string; tor: string }[] = [];
  for (const rt of labTors(plan.lab)) {
    if (!rt.tor.exportPodBlocks) continue;
    for (const n of plan.containers) {
      if (n.role !== 'node' || !n.dataplane) continue;
      if (!torSessionState(plan, n.name)?.up || torSessionState(plan, n.name)?.tor !== rt.tor.name)
        continue;
      for (const cidr of n.dataplane.bird.exportedBlocks)
        out.push({ cidr, via: rt.tor.uplink.tor, node: n.name, tor: rt.tor.name });
    }
  }
  return out;
}

/**
 * Why the spine has no route to a pod of a ToR rack (undefined: the pod's node has no ToR):
 * its block is not exported, the node does not peer with its ToR, or the ToR keeps the blocks.
 */
export function torNoRouteReason(
  plan: LabPlan,
  pod: { node: string; block: string; address: string },
  exportedBlocks: readonly string[],
): string | undefined {
  const node: LabNode | undefined = plan.lab.nodes.find((n) => n.name === pod.node);
  const rack = node && plan.lab.fabric.racks ? nodeRack(plan.lab, node) : undefined;
  if (!rack?.tor) return undefined;
  const st = torSessionState(plan, pod.node);
  const why = !exportedBlocks.includes(pod.block)
    ? `${pod.block} is not exported (its pool has disableBGPExport)`
    : !st?.up
      ? (st?.reason ?? `${pod.node} does not peer with ${rack.tor.name}`)
      : !rack.tor.exportPodBlocks
        ? `${rack.tor.name} learns ${pod.block} from ${pod.node} but its export filter keeps the pod blocks from the spine (racks[].tor.exportPodBlocks: false)`
        : `the spine never learns ${pod.block}`;
  return `the spine (${plan.lab.router.name}) has no route to ${pod.address}: ${why}`;
}

/** The ToRs' BGP protocols for `up`'s wait: with their nodes, with the spine, and the spine's. */
export function torExpectedSessions(plan: LabPlan): {
  container: string;
  protocol: string;
  neighbor: string;
  expectUp: boolean;
  reason: string;
}[] {
  const out: ReturnType<typeof torExpectedSessions> = [];
  for (const c of plan.containers) {
    if (!c.torBgp) continue;
    for (const s of c.torBgp.sessions) {
      const st = torSessionState(plan, s.node);
      out.push({
        container: c.name,
        protocol: s.name,
        neighbor: s.neighbor,
        expectUp: !!st?.up,
        reason: st?.reason ?? '',
      });
    }
    out.push({
      container: c.name,
      protocol: c.torBgp.spine.name,
      neighbor: c.torBgp.spine.neighbor,
      expectUp: true,
      reason: `eBGP with the spine (AS ${c.torBgp.spine.asNumber})`,
    });
  }
  const spine = plan.containers.find((c) => c.role === 'router');
  for (const s of spine?.routerBgp?.tors ?? [])
    out.push({
      container: spine!.name,
      protocol: s.name,
      neighbor: s.neighbor,
      expectUp: true,
      reason: `eBGP with ${s.tor} (AS ${s.neighborAs})`,
    });
  return out;
}
