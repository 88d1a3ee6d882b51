// What explain adds for the perimeter: a Calico Enterprise egress gateway (the client's node
// routes the packet to the gateway, which SNATs it to its own address, so the node's
// natOutgoing never applies) and the router's firewall, which judges a new connection by the
// source it sees on the wire: after the node's SNAT (natOutgoing) or the gateway's.
import {
  DEFAULT_EGRESS_VXLAN_PORT,
  DEFAULT_EGRESS_VXLAN_VNI,
  EGRESS_VXLAN_DEVICE,
} from '../dataplane/egress-vxlan-types.js';
import { cidrContains } from '../net/cidr.js';
import type { FirewallFilterRule } from '../dataplane/perimeter-types.js';
import { renderFirewallRule } from '../dataplane/render-perimeter.js';
import { routerLearned } from '../plan/bgp-routes.js';
import { clusterCidrs, egressClients } from '../plan/perimeter.js';
import type { LabPlan } from '../plan/types.js';
import type { Explanation } from './types.js';

export interface PerimeterFlow {
  protocol?: 'icmp' | 'tcp' | 'udp';
  port?: number;
}

/**
 * A connection a host opens into the cluster (to a pod, a node's NodePort, a LoadBalancer or
 * external IP): the router's inbound chain judges it by the host's address and the address and
 * port it is sent to (the router forwards before any DNAT on the node). A drop there means
 * nothing reaches the node, so whatever the node would do (policy, kube-proxy) never happens.
 */
export function explainInboundFirewall(
  plan: LabPlan,
  e: Explanation,
  flow: PerimeterFlow,
  /** Where the firewall's step goes among e.steps: after the sender's first step by default. */
  stepAt = 1,
): Explanation {
  const router = plan.containers.find((c) => c.role === 'router');
  const chain = router?.firewall?.inbound;
  if (!router || !chain || e.source?.kind !== 'host') return e;
  // A pod's block the router never learned: the router has no route, FORWARD never sees it.
  const toPod = plan.ipam.assignments.some((a) => a.address === e.destination);
  if (toPod && !routerLearned(plan).some((r) => cidrContains(r.cidr, e.destination))) return e;
  const src = e.source.address;
  const index = chain.rules.findIndex((r) => ruleMatches(r, src, e.destination, flow));
  const rule = chain.rules[index]!; // the last rule (inboundDefaultAction) matches everything
  const deny = rule.verdict === 'DROP';
  const firewall: NonNullable<Explanation['firewall']> = {
    on: router.name,
    saw: src,
    verdict: deny ? 'deny' : 'allow',
    rule: rule.comment,
    index: index + 1,
    text: renderFirewallRule(chain.chain, rule),
  };
  const to = `${e.destination}${flow.port !== undefined ? `:${flow.port}` : ''}`;
  const step = `Perimeter firewall in ${router.name} (inbound chain ${chain.chain}) sees ${e.source.name} (${src}) open a connection to ${to}: ${rule.comment} → ${deny ? 'dropped' : 'allowed'}.`;
  const before = e.steps.slice(0, stepAt);
  if (!deny) return { ...e, firewall, steps: [...before, step, ...e.steps.slice(stepAt)] };
  const forward = {
    ok: false,
    reason: `the perimeter firewall in ${router.name} drops it on the way in (${rule.comment}; source ${src}, destination ${to})`,
  };
  return {
    ...e,
    firewall,
    forward,
    routeBack: { ok: false, reason: 'nothing reaches the cluster, so nothing answers' },
    reply: false,
    nat: { action: 'none' },
    seenSource: src,
    seenAs: 'address',
    steps: [...before, step, `Forward: dropped, ${forward.reason}.`],
  };
}

export const ENTERPRISE_NOTE =
  'Calico Enterprise behaviour: egress gateways are not part of Calico Open Source; the lab models them from Enterprise’s public docs.';

/** Whether a flow gets through: false when the perimeter firewall drops it. */
export function flowAllowed(e: Explanation): boolean {
  return e.firewall?.verdict !== 'deny';
}

function ruleMatches(r: FirewallFilterRule, src: string, dst: string, flow: PerimeterFlow) {
  if (r.source && !cidrContains(r.source, src)) return false;
  if (r.destination && !cidrContains(r.destination, dst)) return false;
  const proto = flow.protocol ?? 'icmp';
  if (r.protocol && r.protocol !== proto) return false;
  if (r.ports?.length && (flow.port === undefined || !r.ports.includes(flow.port))) return false;
  return true;
}

/** Whether the packet leaves the fabric through the router (where the firewall sits). */
function throughRouter(plan: LabPlan, e: Explanation): boolean {
  const lab = plan.lab;
  if (plan.ipam.assignments.some((a) => a.address === e.destination)) return false;
  if (lab.nodes.some((n) => n.address === e.destination)) return false;
  if (e.destination === lab.router.address) return false;
  return !cidrContains(lab.fabric.cidr, e.destination);
}

function applyGateway(plan: LabPlan, e: Explanation): Explanation {
  const client = egressClients(plan.lab, plan.ipam).find((k) => k.pod.pod === e.pod);
  if (!client) return e;
  if (clusterCidrs(plan.lab).some((c) => cidrContains(c, e.destination))) {
    return {
      ...e,
      steps: [
        ...e.steps,
        `Egress gateway ${client.gateway.name} (Calico Enterprise) is not used: ${e.destination} is inside the cluster (the table throws it back to the main one).`,
      ],
    };
  }
  const gw = client.gateway;
  const by =
    client.selectedBy.on === 'pod'
      ? `its own annotation`
      : `the annotation of its namespace ${client.pod.namespace}`;
  // The node's own NAT verdict and the forward/reply steps are replaced: the client is exempt
  // from natOutgoing, and the reply goes to the gateway's address.
  const steps = e.steps.filter(
    (s) => !/cali-nat-outgoing|\(cali:|nat POSTROUTING|^Forward|^Reply/.test(s),
  );
  steps.push(
    `Calico Enterprise egress gateway: ${e.pod} selects ${gw.name} (${client.selectedBy.selector}) by ${by}.`,
    `${e.node}: ip rule "from ${e.podAddress} lookup ${client.table}" sends it ${client.gatewayNode === e.node ? `to ${gw.name} (${client.gatewayAddress})` : `to ${gw.name} (${client.gatewayAddress}) via ${EGRESS_VXLAN_DEVICE} onlink: VXLAN (VNI ${DEFAULT_EGRESS_VXLAN_VNI}, UDP ${DEFAULT_EGRESS_VXLAN_PORT}) to ${client.gatewayNode}, which hands it to the gateway`}; the client is exempt from the node's natOutgoing.`,
    `${gw.name} SNATs it to its own address ${client.gatewayAddress} (IPPool ${gw.ipPool}).`,
  );
  if (client.alsoMatching.length)
    e.warnings.push(
      `The selector also matches ${client.alsoMatching.join(', ')}: Enterprise spreads flows over every matching gateway, the lab uses ${gw.name}.`,
    );
  const learned = routerLearned(plan)
    .filter((r) => cidrContains(r.cidr, client.gatewayAddress))
    .sort(
      (a, b) => Number(b.node === client.gatewayNode) - Number(a.node === client.gatewayNode),
    )[0];
  const routeBack = learned
    ? {
        ok: true,
        reason: `the router learned ${learned.cidr} from ${learned.node} over BGP, so replies to ${client.gatewayAddress} reach ${gw.name}, which reverses its SNAT`,
      }
    : {
        ok: false,
        reason: `the router has no route to ${client.gatewayAddress}, the gateway's address (no BGP route for its block)`,
      };
  const forward = e.forward ?? { ok: true, reason: '' };
  steps.push(forward.ok ? `Forward: ${forward.reason}.` : `Forward: dropped, ${forward.reason}.`);
  steps.push(routeBack.ok ? `Reply: ${routeBack.reason}.` : `Reply: lost, ${routeBack.reason}.`);
  return {
    ...e,
    nat: { action: 'none' },
    visited: [],
    seenSource: client.gatewayAddress,
    seenAs: 'address',
    egressGateway: {
      name: gw.name,
      address: client.gatewayAddress,
      node: client.gatewayNode,
      ipPool: gw.ipPool,
      table: client.table,
      selectedBy: client.selectedBy.on,
      enterprise: true,
    },
    routeBack,
    reply: forward.ok && routeBack.ok,
    steps,
    warnings: [...e.warnings, ENTERPRISE_NOTE],
  };
}

function applyFirewall(plan: LabPlan, e: Explanation, flow: PerimeterFlow): Explanation {
  const router = plan.containers.find((c) => c.role === 'router');
  const fw = router?.firewall;
  if (!fw || !router || !throughRouter(plan, e)) return e;
  const index = fw.rules.findIndex((r) => ruleMatches(r, e.seenSource, e.destination, flow));
  const rule = fw.rules[index]!; // the last rule (the default action) matches everything
  const deny = rule.verdict === 'DROP';
  const firewall: NonNullable<Explanation['firewall']> = {
    on: router.name,
    saw: e.seenSource,
    verdict: deny ? 'deny' : 'allow',
    rule: rule.comment,
    index: index + 1,
    text: renderFirewallRule(fw.chain, rule),
  };
  const step = `Perimeter firewall in ${router.name} sees source ${e.seenSource}${e.seenSource === e.podAddress ? ` (the pod's own address)` : e.seenSource === e.nodeAddress ? ` (${e.node}'s address, after its SNAT)` : ''}: ${rule.comment} → ${deny ? 'dropped' : 'allowed'}.`;
  if (!deny)
    return {
      ...e,
      firewall,
      steps: [
        ...e.steps.filter((s) => !s.startsWith('Reply')),
        step,
        ...e.steps.filter((s) => s.startsWith('Reply')),
      ],
    };
  const forward = {
    ok: false,
    reason: `the perimeter firewall in ${router.name} drops it (${rule.comment}; it saw source ${e.seenSource})`,
  };
  return {
    ...e,
    firewall,
    forward,
    reply: false,
    steps: [
      ...e.steps.filter((s) => !s.startsWith('Forward') && !s.startsWith('Reply')),
      step,
      `Forward: dropped, ${forward.reason}.`,
    ],
  };
}

/** Explain's answer with the egress gateway and the perimeter firewall taken into account. */
export function explainPerimeter(
  plan: LabPlan,
  e: Explanation,
  flow: PerimeterFlow = {},
): Explanation {
  if (e.source) return e; // inbound: explainInboundFirewall, called where a host's flow is explained
  if (e.forward?.ok === false) return e; // dropped before it leaves the node (network policy)
  return applyFirewall(plan, applyGateway(plan, e), flow);
}
