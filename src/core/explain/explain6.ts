// explain over IPv6 (IPv6 labs): the same decision chain as explain.ts, from the IPv6 half of the
// plan's data: the pod's IPv6 address and pool, ip6tables' nat table and Felix's cali60 sets
// (evaluateNat on them), the nodes' IPv6 routes and what bird6's sessions carry: each node's
// IPv6 blocks over the IPv6 mesh, and to the router when a BGPPeer names its IPv6 address.
import { natBehaviour } from '../calico/versions.js';
import { evaluateNat, type NatRuleHit } from '../dataplane/evaluate.js';
import { allPoolsSet6 } from '../dataplane/felix-nat6.js';
import type { NodeDataplane } from '../dataplane/types.js';
import { LabInputError } from '../errors.js';
import type { IPPool } from '../model/calico.js';
import { cidr6Contains, cidrHolds } from '../net/cidr6.js';
import { parseIP, splitAddress } from '../net/cidr.js';
import type { ContainerPlan, LabPlan, PodAssignment } from '../plan/types.js';
import { CONNTRACK_WARNING } from './conntrack-warning.js';
import type { ExplainRuleRef, Explanation } from './types.js';
import { podToOwnHostVerdict, policyVerdict } from './policy-verdict.js';

function fail(message: string): never {
  throw new LabInputError([{ message }]);
}

const ref = (h: NatRuleHit, nft = false): ExplainRuleRef => ({
  chain: h.chain,
  index: h.index,
  hash: h.hash,
  // nftables nodes: the rule as `nft list table ip6 calico` shows it (its text says `ip6`).
  text: nft ? h.text : `ip6tables: ${h.text}`,
});

function pool6(pools: IPPool[], addr: string): IPPool | undefined {
  return pools.find((p) => p.spec.cidr.includes(':') && cidr6Contains(p.spec.cidr, addr));
}

interface Learned6 {
  cidr: string;
  node: string;
}

function nodes(plan: LabPlan): ContainerPlan[] {
  return plan.containers.filter((c) => c.role === 'node' && c.dataplane?.bird.ipv6);
}

/** IPv6 blocks node `name` learns over the IPv6 mesh (both ends configure the session). */
function meshLearned6(plan: LabPlan, name: string): Learned6[] {
  const all = nodes(plan);
  const me = all.find((n) => n.name === name)?.dataplane?.bird.ipv6;
  if (!me) return [];
  const out: Learned6[] = [];
  for (const p of me.peers.filter((x) => x.kind === 'mesh')) {
    const other = all.find((n) => n.dataplane!.bird.ipv6!.address === p.neighbor);
    const o = other?.dataplane?.bird.ipv6;
    if (!o || !o.peers.some((q) => q.kind === 'mesh' && q.neighbor === me.address)) continue;
    for (const cidr of o.exportedBlocks) out.push({ cidr, node: other!.name });
  }
  return out;
}

/** IPv6 blocks the router learns: from nodes whose IPv6 session with it comes up. */
function routerLearned6(plan: LabPlan): Learned6[] {
  const router = plan.containers.find((c) => c.role === 'router')?.routerBgp;
  const out: Learned6[] = [];
  for (const s of router?.ipv6?.sessions ?? []) {
    if (s.expectedAs !== router!.asNumber) continue;
    const b = nodes(plan).find((n) => n.name === s.node)?.dataplane?.bird.ipv6;
    if (!b) continue;
    for (const cidr of b.exportedBlocks) out.push({ cidr, node: s.node });
    for (const r of meshLearned6(plan, s.node)) {
      const rejected = b.rejectedExports.some((p) => cidrHolds(p, r.cidr.split('/')[0]!));
      const accepted = b.acceptedPools.some((p) => cidrHolds(p, r.cidr.split('/')[0]!));
      if (!rejected && accepted) out.push({ cidr: r.cidr, node: s.node });
    }
  }
  return out;
}

function reach(
  plan: LabPlan,
  fromNode: string,
  dst: PodAssignment,
): { ok: boolean; reason: string } {
  const a = dst.ipv6!;
  if (dst.node === fromNode)
    return { ok: true, reason: `${dst.pod} is on the same node (${dst.hostIfname})` };
  const m = meshLearned6(plan, fromNode).find((r) => cidr6Contains(r.cidr, a.address));
  if (m)
    return {
      ok: true,
      reason: `${fromNode} learned ${m.cidr} from ${m.node} over the IPv6 node-to-node mesh`,
    };
  const r = routerLearned6(plan).find((x) => cidr6Contains(x.cidr, a.address));
  if (r) return { ok: true, reason: `the router learned ${r.cidr} from ${r.node} over IPv6 BGP` };
  return {
    ok: false,
    reason: `neither ${fromNode} (no IPv6 mesh route) nor the router (no IPv6 BGP route) knows a route to ${a.block}, the IPv6 block of ${dst.pod}`,
  };
}

function routerBack(plan: LabPlan, pod: PodAssignment): { ok: boolean; reason: string } {
  const a = pod.ipv6!;
  const learned = routerLearned6(plan).find((r) => cidr6Contains(r.cidr, a.address));
  if (learned)
    return {
      ok: true,
      reason: `the router learned ${learned.cidr} from ${learned.node} over IPv6 BGP, so replies to ${a.address} route back`,
    };
  const router = plan.containers.find((c) => c.role === 'router')?.routerBgp;
  const session = router?.ipv6?.sessions.find((s) => s.node === pod.node);
  const why = !session
    ? `no BGPPeer makes ${pod.node} peer with the router's IPv6 address (${plan.lab.router.ipv6Address})`
    : session.expectedAs !== router!.asNumber
      ? `the IPv6 BGPPeer for ${pod.node} expects AS ${session.expectedAs} but the router is AS ${router!.asNumber}`
      : `${a.block} is not exported (its pool has disableBGPExport)`;
  return { ok: false, reason: `the router has no route to ${a.address}: ${why}` };
}

interface Target6 {
  address: string;
  name?: string;
  pod?: PodAssignment;
  kind: 'pod' | 'host' | 'node' | 'router' | 'address';
}

function target6(plan: LabPlan, to: string): Target6 {
  const lab = plan.lab;
  const pod = plan.ipam.assignments.find((a) => a.pod === to || a.ipv6?.address === to);
  if (pod) {
    if (!pod.ipv6) fail(`explain: pod ${pod.pod} has no IPv6 address (no IPv6 pool serves it)`);
    return { address: pod.ipv6.address, name: pod.pod, pod, kind: 'pod' };
  }
  const host = lab.hosts.find((h) => h.name === to || h.ipv6?.address === to);
  if (host) {
    if (!host.ipv6) fail(`explain: host ${host.name} has no IPv6 address (ipv6Address)`);
    return { address: host.ipv6.address, name: host.name, kind: 'host' };
  }
  const node = lab.nodes.find((n) => n.name === to || n.ipv6Address === to);
  if (node?.ipv6Address) return { address: node.ipv6Address, name: node.name, kind: 'node' };
  if ((lab.router.name === to || lab.router.ipv6Address === to) && lab.router.ipv6Address)
    return { address: lab.router.ipv6Address, name: lab.router.name, kind: 'router' };
  const ip = parseIP(to);
  if (!ip || ip.kind() !== 'ipv6')
    fail(
      `explain: "${to}" is not a pod, host, node or IPv6 address of lab ${lab.name} with an IPv6 address`,
    );
  return { address: ip.toString(), kind: 'address' };
}

/**
 * The IPv6 view of a node's dataplane, for evaluateNat: ip6tables' table and the cali60 sets,
 * or `table ip6 calico` on an nftables node (evaluateNat hashes an IPv6 packet's rules so).
 */
function v6View(dp: NodeDataplane): NodeDataplane {
  return { ...dp, nat: dp.ipv6!.nat, ipsets: dp.ipv6!.ipsets };
}

export function explain6(
  plan: LabPlan,
  from: string,
  to: string,
  opts: { protocol?: 'icmp' | 'tcp' | 'udp' } = {},
): Explanation {
  const lab = plan.lab;
  if (!lab.fabric.ipv6Cidr)
    fail(`explain: lab ${lab.name} runs IPv4 only (no spec.fabric.ipv6Cidr)`);
  const host = lab.hosts.find((h) => h.name === from);
  if (host) return inbound6(plan, host.name, to);
  const src = plan.ipam.assignments.find((a) => a.pod === from);
  if (!src) fail(`explain: no pod named "${from}" in lab ${lab.name}`);
  if (!src.ipv6) fail(`explain: pod ${from} has no IPv6 address (no IPv6 pool serves it)`);
  const a6 = src.ipv6;
  const nodeC = plan.containers.find((c) => c.role === 'node' && c.name === src.node);
  const dp = nodeC?.dataplane;
  if (!dp?.ipv6) fail(`explain: node ${src.node} has no IPv6 address`);
  const target = target6(plan, to);
  const steps: string[] = [];
  const sp = pool6(lab.ipPools, a6.address);
  const sourcePool = sp
    ? {
        name: sp.name,
        cidr: sp.spec.cidr,
        natOutgoing: sp.spec.natOutgoing,
        disabled: sp.spec.disabled,
      }
    : { name: a6.pool, cidr: a6.block, natOutgoing: false, disabled: false };
  steps.push(
    `IPv6: ${src.pod} has ${a6.address} from block ${a6.block} of IPPool ${sourcePool.name} (${sourcePool.cidr}, natOutgoing: ${sourcePool.natOutgoing}${sourcePool.disabled ? ', disabled' : ''}) on ${src.node}.`,
  );
  const dpool = pool6(lab.ipPools, target.address);
  const allPools = allPoolsSet6(natBehaviour(lab.calicoVersion));
  steps.push(
    dpool
      ? `${target.address} lies in IPPool ${dpool.name} (${dpool.spec.cidr}), so it is a member of ${allPools}.`
      : `${target.address} is outside every IPv6 IPPool.`,
  );
  const nodeAddrs = (dp.interfaces.find((i) => i.ifname === 'eth0')?.addresses ?? []).map(
    (x) => splitAddress(x).address,
  );
  const local = nodeAddrs.includes(target.address);
  const outIf = local
    ? 'lo'
    : target.pod && target.pod.node === src.node
      ? target.pod.hostIfname
      : 'eth0';
  const nft = dp.natDataplane === 'nftables';
  const where = nft ? "table ip6 calico's nat-cali-nat-outgoing" : "ip6tables' cali-nat-outgoing";
  const verdict = local
    ? ({ action: 'none', visited: [] } as const)
    : evaluateNat(v6View(dp), {
        src: a6.address,
        dst: target.address,
        outIf,
        protocol: opts.protocol,
      });
  let nat: Explanation['nat'];
  let seenSource: string;
  if (verdict.action === 'none') {
    nat = { action: 'none' };
    seenSource = a6.address;
    steps.push(
      local
        ? `${target.address} belongs to ${src.node}: delivered locally, nat POSTROUTING is not traversed.`
        : dp.ipv6.felixOff
          ? `Felix on ${src.node} runs with ipv6Support: false: it programs no IPv6 NAT, so the packet keeps source ${a6.address}.`
          : `No rule of ${where} on ${src.node} matches (out ${outIf}): the packet keeps source ${a6.address}.`,
    );
  } else {
    nat = { action: verdict.action, rule: ref(verdict.rule, nft), toSource: verdict.toSource };
    seenSource = verdict.toSource;
    steps.push(
      `${src.node} matches ${nft ? 'table ip6 calico' : "ip6tables'"} ${verdict.rule.chain} rule ${verdict.rule.index + 1} (cali:${verdict.rule.hash}): MASQUERADE to ${verdict.toSource}, the IPv6 address of ${outIf} (NAT66).`,
    );
  }
  const seenAs: Explanation['seenAs'] =
    seenSource === dp.ipv6.address ? 'node' : seenSource === a6.address ? 'pod' : 'address';
  let forward: { ok: boolean; reason: string };
  if (local) forward = { ok: true, reason: `${src.node} receives it over ${src.hostIfname}` };
  else if (target.kind === 'pod') forward = reach(plan, src.node, target.pod!);
  else if (target.kind !== 'address')
    forward = { ok: true, reason: `${target.name} is reachable through the router over IPv6` };
  else
    forward = {
      ok: false,
      reason: `no lab container has ${target.address} and the router has no route to it`,
    };
  // Network policy: Felix's ip6tables filter table, on the pod's own IPv6 address (policy-verdict.ts).
  const policy = (local ? podToOwnHostVerdict : policyVerdict)(plan, {
    src: a6.address,
    dst: target.address,
    protocol: opts.protocol ?? 'icmp',
    ipVersion: 6,
  });
  for (const v of policy?.verdicts ?? [])
    steps.push(`Policy (ip6tables, on ${a6.address}): ${v.text}.`);
  if (policy && !policy.allowed)
    forward = { ok: false, reason: `network policy drops it (${policy.verdicts.at(-1)!.text})` };
  steps.push(forward.ok ? `Forward: ${forward.reason}.` : `Forward: dropped, ${forward.reason}.`);
  let routeBack: { ok: boolean; reason: string };
  if (seenSource === a6.address) {
    if (local)
      routeBack = { ok: true, reason: `${src.node} routes ${a6.address} to ${src.hostIfname}` };
    else if (target.kind === 'pod' || target.kind === 'node') {
      const back = reach(plan, target.kind === 'pod' ? target.pod!.node : target.name!, src);
      routeBack = {
        ok: back.ok,
        reason: back.ok ? `back to ${a6.address}: ${back.reason}` : back.reason,
      };
    } else routeBack = routerBack(plan, src);
  } else if (nodeAddrs.includes(seenSource)) {
    routeBack = {
      ok: true,
      reason: `replies go to ${seenSource}, ${src.node}'s IPv6 address on the fabric, where conntrack reverses the NAT66`,
    };
  } else {
    routeBack = {
      ok: false,
      reason: `${seenSource} is not an address of ${src.node}: replies never reach the node that holds the conntrack entry`,
    };
  }
  steps.push(routeBack.ok ? `Reply: ${routeBack.reason}.` : `Reply: lost, ${routeBack.reason}.`);
  return {
    pod: src.pod,
    podAddress: a6.address,
    node: src.node,
    nodeAddress: dp.ipv6.address,
    destination: target.address,
    ...(target.name ? { destinationName: target.name } : {}),
    sourcePool,
    ...(dpool
      ? {
          destinationPool: {
            name: dpool.name,
            cidr: dpool.spec.cidr,
            disabled: dpool.spec.disabled,
          },
        }
      : {}),
    outIf,
    visited: verdict.visited.map((h) => ref(h, nft)),
    nat,
    seenSource,
    seenAs,
    forward,
    routeBack,
    reply: forward.ok && routeBack.ok,
    ...(policy ? { policy } : {}),
    steps,
    warnings: [CONNTRACK_WARNING],
    ipVersion: 6,
  };
}

/** A host pings a pod over IPv6: the router must know the pod's IPv6 block; nothing is NATed. */
function inbound6(plan: LabPlan, hostName: string, to: string): Explanation {
  const host = plan.lab.hosts.find((h) => h.name === hostName)!;
  if (!host.ipv6) fail(`explain: host ${host.name} has no IPv6 address (ipv6Address)`);
  const t = target6(plan, to);
  if (t.kind !== 'pod') fail(`explain: from host ${host.name}, to must name a pod of this lab`);
  const pod = t.pod!;
  const a6 = pod.ipv6!;
  const dp = plan.containers.find((c) => c.name === pod.node)?.dataplane;
  const sp = pool6(plan.lab.ipPools, a6.address);
  const forward = routerBack(plan, pod);
  const routeBack = {
    ok: true,
    reason: `${pod.pod} replies through ${pod.node}, whose default IPv6 route is the router`,
  };
  const steps = [
    `IPv6: ${host.name} (${host.ipv6.address}) sends to ${pod.pod} (${a6.address}) through the router.`,
    forward.ok ? `Forward: ${forward.reason}.` : `Forward: dropped, ${forward.reason}.`,
    `${pod.pod} sees ${host.ipv6.address}: nothing on the way translates an inbound packet.`,
    `Reply: ${routeBack.reason}.`,
  ];
  return {
    source: { name: host.name, address: host.ipv6.address, kind: 'host' },
    pod: pod.pod,
    podAddress: a6.address,
    node: pod.node,
    nodeAddress: dp?.ipv6?.address ?? '',
    destination: a6.address,
    destinationName: pod.pod,
    sourcePool: sp
      ? {
          name: sp.name,
          cidr: sp.spec.cidr,
          natOutgoing: sp.spec.natOutgoing,
          disabled: sp.spec.disabled,
        }
      : { name: a6.pool, cidr: a6.block, natOutgoing: false, disabled: false },
    nat: { action: 'none' },
    seenSource: host.ipv6.address,
    seenAs: 'address',
    forward,
    routeBack,
    reply: forward.ok,
    steps,
    warnings: [CONNTRACK_WARNING],
    ipVersion: 6,
  };
}
