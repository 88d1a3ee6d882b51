// explain for inbound connectivity (External connectivity, "BGP peering"): an outside host
// opens a connection to a pod's address. Nothing translates on the way in (the lab has no
// DNAT), so the pod sees the host's own address; the packet gets there only if the router
// learned the pod's block over BGP. The pod's answer belongs to the inbound flow's conntrack
// entry, so the nat table (cali-nat-outgoing) never sees it: it leaves untranslated via the
// node's default route to the router, which is connected to the host's segment.
import { policyVerdict } from './policy-verdict.js';
import { LabInputError } from '../errors.js';
import { cidrContains } from '../net/cidr.js';
import { routerLearned, routerNoRouteReason } from '../plan/bgp-routes.js';
import type { LabPlan } from '../plan/types.js';
import { CONNTRACK_WARNING } from './conntrack-warning.js';
import type { Explanation } from './types.js';

function fail(message: string): never {
  throw new LabInputError([{ message }]);
}

/** Whether `from` names a host of the lab (an inbound explain starts there). */
export function isHostName(plan: LabPlan, from: string): boolean {
  return plan.lab.hosts.some((h) => h.name === from);
}

/**
 * A packet from host `from` to pod `to` (a pod name or a pod's address). The Explanation
 * describes the destination pod in `pod`/`podAddress`/`node`/`sourcePool` (the pod whose
 * dataplane is involved) and the host in `source`.
 */
export function explainInbound(plan: LabPlan, from: string, to: string): Explanation {
  const lab = plan.lab;
  const host = lab.hosts.find((h) => h.name === from);
  if (!host) fail(`explain: no host named "${from}" in lab ${lab.name}`);
  const dst =
    plan.ipam.assignments.find((a) => a.pod === to) ??
    plan.ipam.assignments.find((a) => a.address === to);
  if (!dst)
    fail(`explain: from a host, the destination must be a pod of lab ${lab.name} ("${to}" is not)`);
  const nodeC = plan.containers.find((c) => c.role === 'node' && c.name === dst.node);
  const dp = nodeC?.dataplane;
  if (!dp) fail(`explain: pod ${dst.pod} runs on unknown node ${dst.node}`);

  const pool = lab.ipPools.find(
    (p) => !p.spec.cidr.includes(':') && cidrContains(p.spec.cidr, dst.address),
  );
  const sourcePool = pool
    ? {
        name: pool.name,
        cidr: pool.spec.cidr,
        natOutgoing: pool.spec.natOutgoing,
        disabled: pool.spec.disabled,
      }
    : { name: dst.pool, cidr: dst.block, natOutgoing: false, disabled: false };
  const steps: string[] = [
    `${host.name} (${host.address}) sends to ${dst.pod} at ${dst.address}, block ${dst.block} of IPPool ${sourcePool.name} on ${dst.node}; its gateway is the router (${host.gateway}).`,
  ];

  // Forward: the router must have learned the pod's block over BGP.
  const learned = routerLearned(plan).find((r) => cidrContains(r.cidr, dst.address));
  let forward: { ok: boolean; reason: string };
  if (learned) {
    forward = {
      ok: true,
      reason: `the router learned ${learned.cidr} from ${learned.node} over BGP and forwards to ${learned.via}; ${dst.node} routes ${dst.address} to ${dst.hostIfname}`,
    };
  } else {
    forward = { ok: false, reason: routerNoRouteReason(plan, dst, dp.bird.exportedBlocks) };
  }
  // Network policy: the pod's ingress on its node (inbound checks are icmp).
  const policy = policyVerdict(plan, { src: host.address, dst: dst.address, protocol: 'icmp' });
  for (const v of policy?.verdicts ?? []) steps.push(`Policy: ${v.text}.`);
  if (forward.ok && policy && !policy.allowed)
    forward = { ok: false, reason: `network policy drops it (${policy.verdicts.at(-1)!.text})` };
  steps.push(forward.ok ? `Forward: ${forward.reason}.` : `Forward: dropped, ${forward.reason}.`);
  steps.push(
    `No translation on the way in: ${dst.pod} sees the source ${host.address}. Its reply belongs to this flow's conntrack entry, so cali-nat-outgoing never sees it.`,
  );
  const routeBack = forward.ok
    ? {
        ok: true,
        reason: `${dst.pod} answers via ${dst.node}'s default route to the router, which is connected to ${host.name}'s segment`,
      }
    : { ok: false, reason: 'nothing reaches the pod, so nothing answers' };
  steps.push(routeBack.ok ? `Reply: ${routeBack.reason}.` : `Reply: none, ${routeBack.reason}.`);

  return {
    pod: dst.pod,
    podAddress: dst.address,
    node: dst.node,
    nodeAddress: dp.address,
    destination: dst.address,
    destinationName: dst.pod,
    source: { name: host.name, address: host.address, kind: 'host' },
    sourcePool,
    ...(pool
      ? { destinationPool: { name: pool.name, cidr: pool.spec.cidr, disabled: pool.spec.disabled } }
      : {}),
    visited: [],
    nat: { action: 'none' },
    seenSource: host.address,
    seenAs: 'address',
    outIf: dst.hostIfname,
    forward,
    routeBack,
    reply: forward.ok && routeBack.ok,
    steps,
    warnings: [CONNTRACK_WARNING],
    ...(policy ? { policy } : {}),
  };
}
