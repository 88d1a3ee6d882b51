// Which blocks BGP carries where, derived from the BIRD data in a plan (what the BIRD
// configurations will do once the sessions are up):
// - mesh (iBGP): a node learns every mesh peer's own exported blocks (iBGP does not pass
//   iBGP-learned routes on);
// - to the router (eBGP): a node exports its own exported blocks plus the blocks it learned
//   over the mesh that fall in a pool without disableBGPExport (calico_export_to_bgp_peers);
// - a node<->router session is up only when the AS each side expects matches the other's.
import type { ContainerPlan, LabPlan } from './types.js';
import { cidrWithin } from '../net/cidr.js';
import { routerAddresses } from '../model/racks.js';
import {
  torExpectedSessions,
  torLearned,
  torNoRouteReason,
  torPeerState,
  torReflected,
} from './tor-bgp.js';

export interface LearnedRoute {
  cidr: string;
  via: string; // next hop: the announcing node's address
  node: string; // the announcing node
  /** Learned through this top-of-rack router (the node's rack's ToR, tor-bgp.ts). */
  tor?: string;
}

function nodes(plan: LabPlan): ContainerPlan[] {
  return plan.containers.filter((c) => c.role === 'node' && c.dataplane);
}

/** Blocks node `name` learns from its mesh peers (and, through route reflectors, their clients'). */
export function meshLearned(plan: LabPlan, name: string): LearnedRoute[] {
  const all = nodes(plan);
  const me = all.find((n) => n.name === name)?.dataplane;
  if (!me) return [];
  const out: LearnedRoute[] = [];
  const seen = new Set<string>();
  const push = (cidr: string, other: { address: string; node: string }, tor?: string) => {
    if (seen.has(cidr) || me.bird.exportedBlocks.includes(cidr)) return;
    // Learned, but kept out of the kernel: tunnel pools' routes are Felix's (plan/encap.ts).
    if (me.bird.kernelPools?.some((p) => p.mode !== 'none' && cidrWithin(cidr, p.cidr))) return;
    seen.add(cidr);
    out.push({ cidr, via: other.address, node: other.node, ...(tor ? { tor } : {}) });
  };
  type Dp = NonNullable<ContainerPlan['dataplane']>;
  // iBGP sessions between nodes that both ends configure (the mesh, or BGPPeers between nodes).
  const ibgp = (a: Dp): Dp[] =>
    a.bird.peers
      .filter((p) => p.kind === 'mesh' || p.asNumber === a.bird.asNumber)
      .map((p) => all.find((n) => n.dataplane!.address === p.neighbor)?.dataplane)
      .filter(
        (o): o is Dp =>
          !!o &&
          o.bird.asNumber === a.bird.asNumber &&
          o.bird.peers.some((q) => q.neighbor === a.address),
      );
  for (const other of ibgp(me)) {
    for (const cidr of other.bird.exportedBlocks) push(cidr, other);
    // A route reflector passes on what it learns over iBGP to its clients (BIRD `rr client`).
    const reflects = other.bird.peers.some((q) => q.neighbor === me.address && q.rrClusterId);
    if (!reflects) continue;
    for (const third of ibgp(other))
      if (third.address !== me.address)
        for (const cidr of third.bird.exportedBlocks) push(cidr, third);
  }
  // A rack's ToR reflects its nodes' blocks to each other, next hop kept (tor-bgp.ts).
  for (const r of torReflected(plan, name)) push(r.cidr, { address: r.via, node: r.node }, r.tor);
  return out;
}

/** Whether the node<->router session comes up, and why not. */
export function routerSessionState(plan: LabPlan, node: string): { up: boolean; reason: string } {
  const router = plan.containers.find((c) => c.role === 'router')?.routerBgp;
  const s = router?.sessions.find((x) => x.node === node);
  if (!router || !s) return { up: false, reason: `no BGPPeer makes ${node} peer with the router` };
  if (s.expectedAs !== router.asNumber) {
    return {
      up: false,
      reason: `the BGPPeer for ${node} expects AS ${s.expectedAs} but the router is AS ${router.asNumber}: the session never establishes`,
    };
  }
  return { up: true, reason: `${node} peers with the router (AS ${router.asNumber})` };
}

/** Routes the router learns over BGP. */
export function routerLearned(plan: LabPlan): LearnedRoute[] {
  const out: LearnedRoute[] = [];
  for (const n of nodes(plan)) {
    const dp = n.dataplane!;
    if (!routerSessionState(plan, n.name).up) continue;
    for (const cidr of dp.bird.exportedBlocks) out.push({ cidr, via: dp.address, node: dp.node });
    for (const r of meshLearned(plan, n.name)) {
      const rejected = dp.bird.rejectedExports.some((p) => cidrWithin(r.cidr, p));
      const accepted = dp.bird.acceptedPools.some((p) => cidrWithin(r.cidr, p));
      if (!rejected && accepted) out.push({ cidr: r.cidr, via: dp.address, node: dp.node });
    }
  }
  // Racks with their own ToR: the spine learns their blocks from the ToRs (tor-bgp.ts).
  for (const r of torLearned(plan)) out.push(r);
  return out;
}

export interface ExpectedSession {
  container: string; // where the BIRD protocol runs
  protocol: string; // BIRD protocol name (`birdc show protocols`)
  neighbor: string;
  /** Whether the session can reach Established (both ends configured, AS numbers agree). */
  expectUp: boolean;
  reason: string;
}

/**
 * Every BGP protocol the plan's BIRD configurations define, and whether it can come up, so
 * `up` waits only for sessions that will establish (a BGPPeer at an address nobody answers on,
 * or with the wrong AS, stays in Connect/Active forever, as it would with Calico).
 */
export function expectedSessions(plan: LabPlan): ExpectedSession[] {
  const out: ExpectedSession[] = [];
  const router = plan.containers.find((c) => c.role === 'router');
  for (const n of nodes(plan)) {
    const dp = n.dataplane!;
    for (const p of dp.bird.peers) {
      let expectUp = false;
      let reason: string;
      const tor = p.kind === 'mesh' ? undefined : torPeerState(plan, n.name, p.neighbor);
      if (tor) {
        // The rack's top-of-rack router (tor-bgp.ts).
        expectUp = tor.up;
        reason = tor.reason;
      } else if (p.kind === 'mesh') {
        const other = nodes(plan).find((m) => m.dataplane!.address === p.neighbor)?.dataplane;
        expectUp = !!other?.bird.peers.some((q) => q.kind === 'mesh' && q.neighbor === dp.address);
        reason = expectUp ? 'node-to-node mesh' : `no mesh session configured on ${p.neighbor}`;
      } else if (router && routerAddresses(plan.lab).includes(p.neighbor)) {
        const s = routerSessionState(plan, n.name);
        // The router has one session per node, from one of its addresses (bgp.ts).
        const at = router.routerBgp?.sessions.find((x) => x.node === n.name);
        const from = at?.localAddress ?? router.routerBgp?.routerId;
        expectUp = s.up && p.neighbor === from;
        reason = expectUp || !s.up ? s.reason : `the router peers with ${n.name} from ${from}`;
      } else if (nodes(plan).some((m) => m.dataplane!.address === p.neighbor)) {
        // Another node (a BGPPeer between nodes, e.g. a route reflector): up when it peers back.
        const other = nodes(plan).find((m) => m.dataplane!.address === p.neighbor)!.dataplane!;
        expectUp =
          other.bird.peers.some((q) => q.neighbor === dp.address) &&
          p.asNumber === other.bird.asNumber;
        reason = expectUp
          ? 'BGPPeer between nodes'
          : `${p.neighbor} has no session back to ${dp.address}`;
      } else {
        reason = `${p.neighbor} is not a BGP speaker of this lab`;
      }
      out.push({ container: n.name, protocol: p.name, neighbor: p.neighbor, expectUp, reason });
    }
  }
  for (const s of router?.routerBgp?.sessions ?? []) {
    const st = routerSessionState(plan, s.node);
    out.push({
      container: router!.name,
      protocol: s.name,
      neighbor: s.neighbor,
      expectUp: st.up,
      reason: st.reason,
    });
  }
  out.push(...torExpectedSessions(plan));
  return out;
}

/**
 * Why the router has no route to a pod's address (its block is not exported, the node's
 * session to the router is down, or the router never learns the block), for explain.
 */
export function routerNoRouteReason(
  plan: LabPlan,
  pod: { node: string; block: string; address: string },
  exportedBlocks: readonly string[],
): string {
  const tor = torNoRouteReason(plan, pod, exportedBlocks);
  if (tor) return tor;
  const session = routerSessionState(plan, pod.node);
  const why = !exportedBlocks.includes(pod.block)
    ? `${pod.block} is not exported (its pool has disableBGPExport)`
    : !session.up
      ? session.reason
      : `the router never learns ${pod.block}`;
  return `the router has no route to ${pod.address}: ${why}`;
}
