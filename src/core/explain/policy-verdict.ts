// Network policy's verdict for one packet, as Felix's filter rules decide it (the chains of
// dataplane/filter-felix.ts): the source pod's egress on its node, then the destination pod's
// ingress on its node. Policy sees the pod's own address: the filter FORWARD chain runs before
// the node's SNAT in nat POSTROUTING. Each verdict names the policy, its rule and the rule's
// `cali:` hash in the node's rendered chain.
import { policiesFor, workloadLabels, networkSetLabels } from '../calico/endpoints.js';
import { matchesSelector } from '../calico/selector.js';
import { policyChainName, profileChainName } from '../dataplane/filter-felix.js';
import { CHAIN_WL_TO_HOST, DEFAULT_ENDPOINT_TO_HOST_ACTION } from '../dataplane/filter-host.js';
import type { FilterRuleOrigin } from '../dataplane/filter-types.js';
import { hashedFilterRules } from '../dataplane/render-filter.js';
import { nftFilterHash } from '../dataplane/render-nft-filter.js';
import type { Lab, LabPod } from '../model/lab.js';
import type { PolicyRule, RuleEnd, RuleProtocol } from '../model/policy.js';
import { cidrHolds } from '../net/cidr6.js';
import type { LabPlan } from '../plan/types.js';

export interface PolicyPacket {
  src: string;
  dst: string;
  protocol: 'icmp' | 'tcp' | 'udp';
  port?: number;
  /** 6: the packet goes through Felix's IPv6 table (ICMP is ICMPv6, nets and sets are IPv6). */
  ipVersion?: 6;
}

export interface DirectionVerdict {
  direction: 'egress' | 'ingress';
  pod: string;
  node: string;
  allowed: boolean;
  /** policy: a rule decided; end-of-tier: policies selected the pod, none allowed; profile: none selected it. */
  by: 'policy' | 'end-of-tier' | 'profile';
  policy?: string; // Felix's policy ID
  ruleIndex?: number;
  action?: string;
  chain: string;
  hash?: string;
  text: string;
}

export interface PolicyVerdict {
  allowed: boolean;
  verdicts: DirectionVerdict[];
}

const PROTO_NUM: Record<string, number> = { icmp: 1, tcp: 6, udp: 17 };

function protoMatches(p: RuleProtocol, proto: PolicyPacket['protocol'], v6: boolean): boolean {
  // A probe's ICMP over IPv6 is ICMPv6 (protocol 58).
  if (v6 && proto === 'icmp')
    return typeof p === 'number' ? p === 58 : p.toLowerCase() === 'icmpv6';
  if (typeof p === 'number') return p === PROTO_NUM[proto];
  return p.toLowerCase() === proto;
}

const sameVersion = (net: string, addr: string) => net.includes(':') === addr.includes(':');

/** Whether an address is in what a selector selects (pods' addresses, network sets' nets). */
function selected(lab: Lab, plan: LabPlan, selector: string, addr: string): boolean {
  for (const a of plan.ipam.assignments) {
    if (a.address !== addr && a.ipv6?.address !== addr) continue;
    const pod = lab.pods.find((p) => p.name === a.pod);
    if (pod && matchesSelector(selector, workloadLabels(lab, pod))) return true;
  }
  for (const s of lab.networkSets ?? []) {
    if (!matchesSelector(selector, networkSetLabels(lab, s))) continue;
    if (s.nets.some((n) => sameVersion(n, addr) && cidrHolds(n, addr))) return true;
  }
  return false;
}

function endMatches(
  lab: Lab,
  plan: LabPlan,
  end: RuleEnd,
  addr: string,
  port: number | undefined,
): boolean {
  if (end.nets.length && !end.nets.some((n) => sameVersion(n, addr) && cidrHolds(n, addr)))
    return false;
  // FilterRuleToIPVersion: notNets all of the other version leave no rule in this table.
  const notNets = end.notNets.filter((n) => sameVersion(n, addr));
  if (end.notNets.length && !notNets.length) return false;
  if (notNets.some((n) => cidrHolds(n, addr))) return false;
  if (end.selector && !selected(lab, plan, end.selector, addr)) return false;
  if (end.notSelector && selected(lab, plan, end.notSelector, addr)) return false;
  const inRange = (r: { first: number; last: number }) =>
    port !== undefined && port >= r.first && port <= r.last;
  if (end.ports.length && !end.ports.some(inRange)) return false;
  if (end.notPorts.some(inRange)) return false;
  return true;
}

export function ruleMatches(lab: Lab, plan: LabPlan, r: PolicyRule, pkt: PolicyPacket): boolean {
  const v6 = pkt.ipVersion === 6;
  if (r.ipVersion !== undefined && r.ipVersion !== (v6 ? 6 : 4)) return false;
  if (r.protocol !== undefined && !protoMatches(r.protocol, pkt.protocol, v6)) return false;
  if (r.notProtocol !== undefined && protoMatches(r.notProtocol, pkt.protocol, v6)) return false;
  // ICMP echo request: type 8 (ICMPv6: 128), code 0.
  if (r.icmp?.type !== undefined && (pkt.protocol !== 'icmp' || r.icmp.type !== (v6 ? 128 : 8)))
    return false;
  if (r.icmp?.code !== undefined && r.icmp.code !== 0) return false;
  // The source port of a probe is ephemeral: a rule on source ports never matches it here.
  if (!endMatches(lab, plan, r.source, pkt.src, r.source.ports.length ? -1 : undefined))
    return false;
  return endMatches(lab, plan, r.destination, pkt.dst, pkt.port);
}

function hashOf(
  plan: LabPlan,
  node: string,
  chain: string,
  pick: (origin: FilterRuleOrigin) => boolean,
  ipVersion?: 6,
): string | undefined {
  const dp = plan.containers.find((c) => c.name === node)?.dataplane;
  // IPv6: ip6tables' filter table, in either mode (as IPv6's NAT).
  if (ipVersion === 6) {
    const t = dp?.ipv6?.filter;
    return t
      ? hashedFilterRules(t).find((h) => h.chain === chain && pick(h.rule.origin ?? {}))?.hash
      : undefined;
  }
  if (!dp?.filter) return undefined;
  if (dp.natDataplane === 'nftables') return nftFilterHash(dp.filter, chain, pick);
  return hashedFilterRules(dp.filter).find((h) => h.chain === chain && pick(h.rule.origin ?? {}))
    ?.hash;
}

export function directionVerdict(
  plan: LabPlan,
  pod: LabPod,
  node: string,
  direction: 'egress' | 'ingress',
  pkt: PolicyPacket,
): DirectionVerdict {
  const lab = plan.lab;
  const policies = policiesFor(lab, pod, direction === 'egress' ? 'Egress' : 'Ingress');
  const base = { direction, pod: pod.name, node };
  const what = direction === 'egress' ? `${pod.name}'s egress` : `${pod.name}'s ingress`;
  for (const p of policies) {
    const rules = direction === 'egress' ? p.egress : p.ingress;
    for (const [i, r] of rules.entries()) {
      if (r.action === 'Log' || !ruleMatches(lab, plan, r, pkt)) continue;
      const chain = policyChainName(direction, p);
      const hash = hashOf(plan, node, chain, (o) => o.ruleIndex === i, pkt.ipVersion);
      const ref = `${p.kind} ${p.k8sName ?? p.id} ${direction} rule ${i + 1} (${r.action}; ${chain}${hash ? ` cali:${hash}` : ''})`;
      if (r.action === 'Pass')
        return {
          ...base,
          allowed: true,
          by: 'profile',
          policy: p.id,
          ruleIndex: i,
          action: r.action,
          chain: profileChainName(direction, `kns.${pod.namespace}`),
          text: `${what}: ${ref} passes to the profiles; kns.${pod.namespace} allows it`,
        };
      return {
        ...base,
        allowed: r.action === 'Allow',
        by: 'policy',
        policy: p.id,
        ruleIndex: i,
        action: r.action,
        chain,
        ...(hash ? { hash } : {}),
        text: `${what}: ${r.action === 'Allow' ? 'allowed' : 'denied'} by ${ref}`,
      };
    }
  }
  if (policies.length) {
    const chain = `cali-${direction === 'egress' ? 'fw' : 'tw'}-${plan.ipam.assignments.find((a) => a.pod === pod.name)?.hostIfname ?? ''}`;
    const hash = hashOf(
      plan,
      node,
      chain,
      (o) => o.role?.startsWith('end of tier') === true,
      pkt.ipVersion,
    );
    return {
      ...base,
      allowed: false,
      by: 'end-of-tier',
      chain,
      ...(hash ? { hash } : {}),
      text: `${what}: denied at the end of tier default in ${chain}${hash ? ` (cali:${hash})` : ''}: ${policies.length} polic${policies.length === 1 ? 'y selects' : 'ies select'} ${pod.name} (${policies.map((p) => p.k8sName ?? p.id).join(', ')}) and no rule allows the packet`,
    };
  }
  return {
    ...base,
    allowed: true,
    by: 'profile',
    chain: profileChainName(direction, `kns.${pod.namespace}`),
    text: `${what}: no policy selects ${pod.name}; the namespace profile kns.${pod.namespace} allows it`,
  };
}

/**
 * The verdict for a packet from `src` (a pod's address, or a host's) to `dst`; undefined when the
 * lab has no policies. Egress of a source pod first; if allowed, ingress of a destination pod.
 */
export function policyVerdict(plan: LabPlan, pkt: PolicyPacket): PolicyVerdict | undefined {
  const lab = plan.lab;
  if (!lab.policies?.length) return undefined;
  const verdicts: DirectionVerdict[] = [];
  const podAt = (addr: string) => {
    const a = plan.ipam.assignments.find((x) => x.address === addr || x.ipv6?.address === addr);
    const pod = a && lab.pods.find((p) => p.name === a.pod);
    return a && pod ? { pod, node: a.node } : undefined;
  };
  const from = podAt(pkt.src);
  if (from) {
    const v = directionVerdict(plan, from.pod, from.node, 'egress', pkt);
    verdicts.push(v);
    if (!v.allowed) return { allowed: false, verdicts };
  }
  const to = podAt(pkt.dst);
  if (to) {
    const v = directionVerdict(plan, to.pod, to.node, 'ingress', pkt);
    verdicts.push(v);
    if (!v.allowed) return { allowed: false, verdicts };
  }
  return { allowed: true, verdicts };
}

/**
 * A packet from a pod to an address of its own node: Felix's cali-INPUT sends it (`-i cali+`)
 * to cali-wl-to-host, which runs the pod's egress policy through the from-workload dispatch and
 * then the FelixConfiguration's defaultEndpointToHostAction (dataplane/filter-host.ts). Undefined
 * when the lab has no policies (no filter table) or the source is not a pod.
 */
export function podToOwnHostVerdict(plan: LabPlan, pkt: PolicyPacket): PolicyVerdict | undefined {
  const lab = plan.lab;
  if (!lab.policies?.length) return undefined;
  const a = plan.ipam.assignments.find((x) => x.address === pkt.src || x.ipv6?.address === pkt.src);
  const pod = a && lab.pods.find((p) => p.name === a.pod);
  if (!a || !pod) return undefined;
  const egress = directionVerdict(plan, pod, a.node, 'egress', pkt);
  const verdicts: DirectionVerdict[] = [
    {
      ...egress,
      text: `${egress.text} (cali-INPUT → ${CHAIN_WL_TO_HOST} → cali-from-wl-dispatch)`,
    },
  ];
  if (!egress.allowed) return { allowed: false, verdicts };
  const node = lab.nodes.find((n) => n.name === a.node);
  const own = node && lab.felixNodeConfigurations?.find((c) => c.name === `node.${node.name}`);
  const action =
    own?.spec.defaultEndpointToHostAction ??
    lab.felixConfiguration.spec.defaultEndpointToHostAction ??
    DEFAULT_ENDPOINT_TO_HOST_ACTION;
  const hash = hashOf(
    plan,
    a.node,
    CHAIN_WL_TO_HOST,
    (o) => o.role?.startsWith('defaultEndpointToHostAction') === true,
    pkt.ipVersion,
  );
  const where = `${CHAIN_WL_TO_HOST}${hash ? ` cali:${hash}` : ''}`;
  const unset =
    (own?.spec.defaultEndpointToHostAction ??
    lab.felixConfiguration.spec.defaultEndpointToHostAction)
      ? ''
      : ', unset: Accept as the manifests install calico-node';
  verdicts.push({
    direction: 'egress',
    pod: pod.name,
    node: a.node,
    allowed: action !== 'Drop',
    by: 'policy',
    action,
    chain: CHAIN_WL_TO_HOST,
    ...(hash ? { hash } : {}),
    text:
      action === 'Drop'
        ? `to its own node: dropped by defaultEndpointToHostAction Drop (${where})`
        : action === 'Accept'
          ? `to its own node: accepted by defaultEndpointToHostAction Accept (${where}${unset})`
          : `to its own node: defaultEndpointToHostAction Return (${where}) hands it back to INPUT, which has no other rule in the lab and accepts it`,
  });
  return { allowed: action !== 'Drop', verdicts };
}
