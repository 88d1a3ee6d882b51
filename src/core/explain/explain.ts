// explain: what happens to a packet from a pod to a destination, decided from the plan's
// data: the node's nat rules and ipsets (evaluateNat), its routes and the BGP state the
// BIRD configurations produce. Pools are only consulted to name things.
import { ipv6OnlyLab } from '../model/ip-families.js';
import { explainService } from './explain-service.js';
import { podToOwnHostVerdict, policyVerdict } from './policy-verdict.js';
import { natBehaviour } from '../calico/versions.js';
import { evaluateNat, type NatRuleHit } from '../dataplane/evaluate.js';
import { LabInputError } from '../errors.js';
import { cidrContains, isIPv4, splitAddress } from '../net/cidr.js';
import { cidrHolds } from '../net/cidr6.js';
import { explain6 } from './explain6.js';
import type { IPPool } from '../model/calico.js';
import { meshLearned, routerLearned, routerNoRouteReason } from '../plan/bgp-routes.js';
import { torKernelRoutes } from '../plan/tor-bgp.js';
import { labTors } from '../model/tor.js';
import { encapPath } from './encap.js';
import type { ContainerPlan, LabPlan, PodAssignment } from '../plan/types.js';
import { CONNTRACK_WARNING } from './conntrack-warning.js';
import type { ExplainRuleRef, Explanation } from './types.js';
import { explainInbound, isHostName } from './explain-inbound.js';
import { explainInboundFirewall, explainPerimeter } from './explain-perimeter.js';

export interface ExplainOptions {
  protocol?: 'icmp' | 'tcp' | 'udp';
  /** 6: the flow over IPv6 (IPv6 labs, explain6.ts); default IPv4. */
  ipVersion?: 4 | 6;
  /** Destination port (tcp, udp): network policy rules with ports need it. */
  port?: number;
}

// Re-exported: the service reads it from here.
export { CONNTRACK_WARNING };

function fail(message: string): never {
  throw new LabInputError([{ message }]);
}

function poolContaining(pools: IPPool[], addr: string): IPPool | undefined {
  return pools.find((p) => !p.spec.cidr.includes(':') && cidrContains(p.spec.cidr, addr));
}

function ref(h: NatRuleHit): ExplainRuleRef {
  return { chain: h.chain, index: h.index, hash: h.hash, text: h.text };
}

interface Target {
  address: string;
  name?: string;
  pod?: PodAssignment;
  kind: 'pod' | 'host' | 'node' | 'router' | 'address';
}

function resolveTarget(plan: LabPlan, to: string): Target {
  const lab = plan.lab;
  const pod =
    plan.ipam.assignments.find((a) => a.pod === to) ??
    plan.ipam.assignments.find((a) => a.address === to);
  if (pod) return { address: pod.address, name: pod.pod, pod, kind: 'pod' };
  const host = lab.hosts.find((h) => h.name === to || h.address === to);
  if (host) return { address: host.address, name: host.name, kind: 'host' };
  const node = lab.nodes.find(
    (n) =>
      n.name === to || n.address === to || n.extraAddresses.some((a) => a.split('/')[0] === to),
  );
  if (node) return { address: isIPv4(to) ? to : node.address, name: node.name, kind: 'node' };
  if (lab.router.name === to || lab.router.address === to)
    return { address: lab.router.address, name: lab.router.name, kind: 'router' };
  // A rack's top-of-rack router, by name or address (plan/tor.ts).
  const tor = labTors(lab).find(
    (t) => t.tor.name === to || t.rack.routerAddress === to || t.tor.uplink.tor === to,
  );
  if (tor)
    return {
      address: isIPv4(to) ? to : tor.rack.routerAddress,
      name: tor.tor.name,
      kind: 'router',
    };
  if (!isIPv4(to))
    fail(`explain: "${to}" is not a pod, host, node or IPv4 address of lab ${lab.name}`);
  return { address: to, kind: 'address' };
}

function nodeAddresses(node: ContainerPlan): string[] {
  return (node.dataplane?.interfaces.find((i) => i.ifname === 'eth0')?.addresses ?? []).map(
    (a) => splitAddress(a).address,
  );
}

/** Whether the router delivers to `addr` on a connected segment (fabric or a host segment). */
function routerConnected(plan: LabPlan, addr: string): boolean {
  // The spine and the racks' top-of-rack routers (plan/tor.ts).
  const routers = plan.containers.filter((c) => c.role === 'router' || c.role === 'tor');
  return routers.some((router) =>
    router.interfaces.some((i) =>
      i.addresses.some((a) =>
        cidrHolds(`${splitAddress(a).address}/${splitAddress(a).prefix}`, addr),
      ),
    ),
  );
}

/** How a packet from a container on node `fromNode` reaches pod `dst` (by its block). */
function podReachable(
  plan: LabPlan,
  fromNode: string,
  dst: PodAssignment,
): { ok: boolean; reason: string } {
  if (dst.node === fromNode)
    return { ok: true, reason: `${dst.pod} is on the same node (${dst.hostIfname})` };
  const tunnel = encapPath(plan, fromNode, dst);
  if (tunnel) return { ok: true, reason: tunnel.reason };
  const mesh = meshLearned(plan, fromNode).find((r) => cidrContains(r.cidr, dst.address));
  if (mesh)
    return {
      ok: true,
      reason: `${fromNode} learned ${mesh.cidr} from ${mesh.node} ${mesh.tor ? `through ${mesh.tor}, its rack's route reflector` : 'over the node-to-node mesh'}`,
    };
  const viaRouter = routerLearned(plan).find((r) => cidrContains(r.cidr, dst.address));
  if (viaRouter)
    return {
      ok: true,
      reason: `the router learned ${viaRouter.cidr} from ${viaRouter.node}${viaRouter.tor ? ` through ${viaRouter.tor}` : ''} over BGP`,
    };
  return {
    ok: false,
    reason: `neither ${fromNode} (no mesh route) nor the router (no BGP route) knows a route to ${dst.block}, the block of ${dst.pod}`,
  };
}

export function explain(
  plan: LabPlan,
  from: string,
  to: string,
  opts: ExplainOptions = {},
): Explanation {
  if (to.startsWith('service/')) return explainService(plan, from, to, opts.protocol);
  const lab = plan.lab;
  if (opts.ipVersion === 6 || (to.includes(':') && opts.ipVersion === undefined))
    return explain6(plan, from, to, opts);
  // IPv6-only labs (spec.cni.assignIpv4: false): IPv6 is the only family pods have.
  if (ipv6OnlyLab(lab)) {
    if (opts.ipVersion === 4)
      fail(
        `explain: lab ${lab.name} is IPv6-only (spec.cni.assignIpv4: false): pods have no IPv4 address`,
      );
    return explain6(plan, from, to, opts);
  }
  const src = plan.ipam.assignments.find((a) => a.pod === from);
  if (!src && isHostName(plan, from))
    return explainInboundFirewall(plan, explainInbound(plan, from, to), {
      protocol: opts.protocol ?? 'icmp',
      ...(opts.port !== undefined ? { port: opts.port } : {}),
    });
  if (!src) fail(`explain: no pod named "${from}" in lab ${lab.name}`);
  const nodeC = plan.containers.find((c) => c.role === 'node' && c.name === src.node);
  const dp = nodeC?.dataplane;
  if (!nodeC || !dp) fail(`explain: pod ${from} runs on unknown node ${src.node}`);
  const target = resolveTarget(plan, to);
  const steps: string[] = [];
  const warnings: string[] = [];

  const sp = poolContaining(lab.ipPools, src.address);
  const sourcePool = sp
    ? {
        name: sp.name,
        cidr: sp.spec.cidr,
        natOutgoing: sp.spec.natOutgoing,
        disabled: sp.spec.disabled,
      }
    : { name: src.pool, cidr: src.block, natOutgoing: false, disabled: false };
  steps.push(
    `${src.pod} has ${src.address} from block ${src.block} of IPPool ${sourcePool.name} (${sourcePool.cidr}, natOutgoing: ${sourcePool.natOutgoing}${sourcePool.disabled ? ', disabled' : ''}) on ${src.node}.`,
  );

  const dpool = poolContaining(lab.ipPools, target.address);
  const destinationPool = dpool
    ? { name: dpool.name, cidr: dpool.spec.cidr, disabled: dpool.spec.disabled }
    : undefined;
  // The set's name and whether LoadBalancer-only pools are in it depend on the version.
  const versioned = natBehaviour(lab.calicoVersion);
  const allPools = versioned.allPoolsSet;
  const lbOnly =
    dpool?.spec.allowedUses.length === 1 && dpool.spec.allowedUses[0] === 'LoadBalancer';
  if (destinationPool && lbOnly && !versioned.loadBalancerOnlyPoolsExempt) {
    steps.push(
      `${target.address} lies in IPPool ${destinationPool.name} (${destinationPool.cidr}), a LoadBalancer-only pool: Calico ${lab.calicoVersion} leaves it out of ${allPools}, so it is treated as outside every pool.`,
    );
  } else if (destinationPool) {
    steps.push(
      `${target.address} lies in IPPool ${destinationPool.name} (${destinationPool.cidr}${destinationPool.disabled ? ', disabled' : ''}), so it is a member of ${allPools}.`,
    );
    if (destinationPool.disabled && target.kind !== 'pod') {
      warnings.push(
        `${destinationPool.cidr} is a disabled pool: Felix still lists it in ${allPools}, so traffic to it is not NATed (the docs' no-NAT trick).`,
      );
    }
  } else {
    steps.push(`${target.address} is outside every IPPool.`);
  }

  const nodeAddrs = nodeAddresses(nodeC);
  // A packet for the node itself is delivered locally (INPUT): it never reaches POSTROUTING.
  const local = nodeAddrs.includes(target.address);
  const outIf = local
    ? 'lo'
    : target.pod && target.pod.node === src.node
      ? target.pod.hostIfname
      : ((target.pod && encapPath(plan, src.node, target.pod)?.encapsulation.device) ?? 'eth0');
  const verdict = local
    ? ({ action: 'none', visited: [] } as const)
    : evaluateNat(dp, { src: src.address, dst: target.address, outIf, protocol: opts.protocol });
  const visited = verdict.visited.map(ref);
  let nat: Explanation['nat'];
  let seenSource: string;
  const natStep = steps.length; // policy's steps go before NAT's: FORWARD runs before POSTROUTING
  if (verdict.action === 'none') {
    nat = { action: 'none' };
    seenSource = src.address;
    if (local)
      steps.push(
        `${target.address} belongs to ${src.node}: delivered locally, nat POSTROUTING is not traversed.`,
      );
    else
      steps.push(
        `No rule of cali-nat-outgoing on ${src.node} matches (out ${outIf}): the packet keeps source ${src.address}.`,
      );
  } else {
    nat = { action: verdict.action, rule: ref(verdict.rule), toSource: verdict.toSource };
    seenSource = verdict.toSource;
    const how =
      verdict.action === 'masquerade'
        ? `MASQUERADE to ${verdict.toSource}, the primary address of ${outIf}`
        : `SNAT --to-source ${verdict.toSource} (natOutgoingAddress)`;
    steps.push(
      `${src.node} matches ${verdict.rule.chain} rule ${verdict.rule.index + 1} (cali:${verdict.rule.hash}): ${how}.`,
    );
  }
  const seenAs: Explanation['seenAs'] =
    seenSource === dp.address ? 'node' : seenSource === src.address ? 'pod' : 'address';

  // Forward path.
  let forward: { ok: boolean; reason: string };
  if (local) forward = { ok: true, reason: `${src.node} receives it over ${src.hostIfname}` };
  else if (target.kind === 'pod') forward = podReachable(plan, src.node, target.pod!);
  else if (target.kind === 'host' || target.kind === 'node' || target.kind === 'router')
    forward = { ok: true, reason: `${target.name} is reachable through the router` };
  else if (routerConnected(plan, target.address))
    forward = {
      ok: false,
      reason: `nothing in the lab answers at ${target.address}, on a segment of the router`,
    };
  else
    forward = {
      ok: false,
      reason: `no lab container has ${target.address} and the router has no route to it`,
    };
  // Network policy: Felix's filter FORWARD rules see the pod's own address, before any SNAT.
  // Traffic to the pod's own node goes through INPUT: cali-INPUT → cali-wl-to-host (the pod's
  // egress policy, then defaultEndpointToHostAction).
  const policy = (local ? podToOwnHostVerdict : policyVerdict)(plan, {
    src: src.address,
    dst: target.address,
    protocol: opts.protocol ?? 'icmp',
    ...(opts.port !== undefined ? { port: opts.port } : {}),
  });
  steps.splice(
    natStep,
    0,
    ...(policy?.verdicts ?? []).map(
      (v) => `Policy (on ${src.address}, before any SNAT): ${v.text}.`,
    ),
  );
  if (policy && !policy.allowed)
    forward = { ok: false, reason: `network policy drops it (${policy.verdicts.at(-1)!.text})` };
  steps.push(forward.ok ? `Forward: ${forward.reason}.` : `Forward: dropped, ${forward.reason}.`);

  // Route back to the source the destination sees.
  let routeBack: { ok: boolean; reason: string };
  if (seenSource === src.address) {
    if (local) {
      routeBack = { ok: true, reason: `${src.node} routes ${src.address} to ${src.hostIfname}` };
    } else if (target.kind === 'pod' || target.kind === 'node') {
      // The replier is a node (or a pod on one): its mesh routes count, then the router's.
      const back = podReachable(plan, target.kind === 'pod' ? target.pod!.node : target.name!, src);
      routeBack = {
        ok: back.ok,
        reason: back.ok ? `back to ${src.address}: ${back.reason}` : back.reason,
      };
    } else {
      // A ToR answering routes back itself when it learned the block from its rack's node.
      const viaTor =
        target.kind === 'router' && target.name !== lab.router.name
          ? torKernelRoutes(plan, target.name!).find((r) => cidrContains(r.cidr, src.address))
          : undefined;
      const learned = routerLearned(plan).find((r) => cidrContains(r.cidr, src.address));
      if (viaTor) {
        routeBack = {
          ok: true,
          reason: `${target.name} learned ${viaTor.cidr} from ${viaTor.via} over BGP, so its replies to ${src.address} route back`,
        };
      } else if (learned) {
        routeBack = {
          ok: true,
          reason: `the router learned ${learned.cidr} from ${learned.node}${learned.tor ? ` through ${learned.tor}` : ''} over BGP, so replies to ${src.address} route back`,
        };
      } else {
        routeBack = { ok: false, reason: routerNoRouteReason(plan, src, dp.bird.exportedBlocks) };
      }
    }
  } else if (nodeAddrs.includes(seenSource) && routerConnected(plan, seenSource)) {
    routeBack = {
      ok: true,
      reason: `replies go to ${seenSource}, an address of ${src.node} on the fabric, where conntrack reverses the NAT`,
    };
  } else if (nodeAddrs.includes(seenSource)) {
    routeBack = {
      ok: false,
      reason: `${seenSource} is on ${src.node} but outside the fabric: the router has no route to it`,
    };
  } else {
    routeBack = {
      ok: false,
      reason: `${seenSource} is not an address of ${src.node}: replies never reach the node that holds the conntrack entry`,
    };
  }
  steps.push(routeBack.ok ? `Reply: ${routeBack.reason}.` : `Reply: lost, ${routeBack.reason}.`);
  const reply = forward.ok && routeBack.ok;
  const encapsulation = target.kind === 'pod' ? encapPath(plan, src.node, target.pod!) : undefined;
  warnings.push(CONNTRACK_WARNING);

  const explanation: Explanation = {
    pod: src.pod,
    podAddress: src.address,
    node: src.node,
    nodeAddress: dp.address,
    destination: target.address,
    ...(target.name ? { destinationName: target.name } : {}),
    sourcePool,
    ...(destinationPool ? { destinationPool } : {}),
    outIf,
    ...(encapsulation ? { encapsulation: encapsulation.encapsulation } : {}),
    visited,
    nat,
    seenSource,
    seenAs,
    forward,
    routeBack,
    reply,
    steps,
    warnings,
    ...(policy ? { policy } : {}),
  };
  return explainPerimeter(plan, explanation, opts);
}
