// One Calico policy rule as Felix's filter rules (felix/rules/policy.go at v3.30.0:
// ProtoRuleToIptablesRules, CalculateRuleMatch, CombineMatchAndActionsForProtoRule, the match
// blocks for several CIDRs) and a policy or profile as its chain.
import type { PolicyRule, PortRange, RuleProtocol } from '../model/policy.js';
import { ipsetNameV4, ipsetNameV6, selectorSetId } from '../calico/policy-selectors.js';
import { parseCidr } from '../net/cidr.js';
import {
  MARK_ACCEPT,
  MARK_DROP,
  MARK_PASS,
  MARK_SCRATCH0,
  MARK_SCRATCH1,
  type FilterAction,
  type FilterMatch,
  type FilterRule,
  type FilterRuleOrigin,
} from './filter-types.js';

export const LOG_PREFIX = 'calico-packet';

/** The selectors a rule needs as IP sets (set ID → selector). */
export function ruleSelectors(r: PolicyRule): string[] {
  return [
    r.source.selector,
    r.source.notSelector,
    r.destination.selector,
    r.destination.notSelector,
  ].filter((s): s is string => s !== undefined && s !== '');
}

function protocolMatch(p: RuleProtocol, negate = false): FilterMatch {
  return typeof p === 'number'
    ? { kind: 'protocolNum', num: p, negate }
    : { kind: 'protocol', name: p.toLowerCase(), negate };
}

/** Felix's PortsToMultiport: "80,8000:8080". */
function multiport(ports: PortRange[]): string {
  return ports.map((p) => (p.first === p.last ? `${p.first}` : `${p.first}:${p.last}`)).join(',');
}

/** 4 or 6: which of Felix's two filter tables a rule is rendered for. */
export type IpVersion = 4 | 6;

function ofVersion(v: IpVersion): (cidr: string) => boolean {
  return (cidr) => parseCidr(cidr)?.version === v;
}

/**
 * Felix's rules for one policy rule in the IPv4 (or IPv6) table; [] when the rule cannot match
 * that version (FilterRuleToIPVersion: all its nets on one side are of the other version).
 */
export function policyRuleToFilterRules(
  r: PolicyRule,
  origin: FilterRuleOrigin,
  ipVersion: IpVersion = 4,
): FilterRule[] {
  if (r.ipVersion !== undefined && r.ipVersion !== ipVersion) return [];
  const isV = ofVersion(ipVersion);
  const setName = (selector: string) =>
    (ipVersion === 6 ? ipsetNameV6 : ipsetNameV4)(selectorSetId(selector));
  const src = { nets: r.source.nets.filter(isV), notNets: r.source.notNets.filter(isV) };
  const dst = {
    nets: r.destination.nets.filter(isV),
    notNets: r.destination.notNets.filter(isV),
  };
  if (
    (r.source.nets.length && !src.nets.length) ||
    (r.source.notNets.length && !src.notNets.length) ||
    (r.destination.nets.length && !dst.nets.length) ||
    (r.destination.notNets.length && !dst.notNets.length)
  )
    return [];
  const blocks: FilterRule[] = [];
  let usingBlocks = false;
  let donePositive = false;
  const initial = (bits: number) => {
    if (usingBlocks) return;
    blocks.push({
      match: [],
      action: { kind: 'setMaskedMark', mark: bits, mask: MARK_SCRATCH0 | MARK_SCRATCH1 },
      origin,
    });
    usingBlocks = true;
  };
  const positive = (kind: 'srcNet' | 'dstNet', cidrs: string[]) => {
    initial(0);
    const mark = donePositive ? MARK_SCRATCH1 : MARK_SCRATCH0;
    for (const cidr of cidrs)
      blocks.push({ match: [{ kind, cidr }], action: { kind: 'setMark', mark }, origin });
    if (donePositive)
      blocks.push({
        match: [{ kind: 'markClear', mask: MARK_SCRATCH1 }],
        action: { kind: 'clearMark', mask: MARK_SCRATCH0 },
        origin,
      });
    donePositive = true;
  };
  const negated = (kind: 'srcNet' | 'dstNet', cidrs: string[]) => {
    initial(MARK_SCRATCH0);
    for (const cidr of cidrs)
      blocks.push({
        match: [{ kind, cidr }],
        action: { kind: 'clearMark', mask: MARK_SCRATCH0 },
        origin,
      });
  };
  // Port lists of more than 15 slots need blocks too; the lab's rules stay within one.
  let srcNets = src.nets;
  let dstNets = dst.nets;
  let notSrc = src.notNets;
  let notDst = dst.notNets;
  if (srcNets.length > 1) {
    positive('srcNet', srcNets);
    srcNets = [];
  }
  if (dstNets.length > 1) {
    positive('dstNet', dstNets);
    dstNets = [];
  }
  if (srcNets.length + notSrc.length > 1) {
    negated('srcNet', notSrc);
    notSrc = [];
  }
  if (dstNets.length + notDst.length > 1) {
    negated('dstNet', notDst);
    notDst = [];
  }
  const match: FilterMatch[] = [];
  if (r.protocol !== undefined) match.push(protocolMatch(r.protocol));
  if (srcNets[0]) match.push({ kind: 'srcNet', cidr: srcNets[0] });
  if (r.source.selector) match.push({ kind: 'srcSet', set: setName(r.source.selector) });
  if (r.source.ports.length) match.push({ kind: 'srcPorts', ports: multiport(r.source.ports) });
  if (dstNets[0]) match.push({ kind: 'dstNet', cidr: dstNets[0] });
  if (r.destination.selector) match.push({ kind: 'dstSet', set: setName(r.destination.selector) });
  if (r.destination.ports.length)
    match.push({ kind: 'dstPorts', ports: multiport(r.destination.ports) });
  // CalculateRuleMatch: ICMP type/code as ICMPv6 ones in the IPv6 table.
  if (r.icmp?.type !== undefined)
    match.push({ kind: ipVersion === 6 ? 'icmp6' : 'icmp', type: r.icmp.type, code: r.icmp.code });
  if (r.notProtocol !== undefined) match.push(protocolMatch(r.notProtocol, true));
  if (notSrc[0]) match.push({ kind: 'srcNet', cidr: notSrc[0], negate: true });
  if (r.source.notSelector)
    match.push({
      kind: 'srcSet',
      set: setName(r.source.notSelector),
      negate: true,
    });
  if (r.source.notPorts.length)
    match.push({ kind: 'srcPorts', ports: multiport(r.source.notPorts), negate: true });
  if (notDst[0]) match.push({ kind: 'dstNet', cidr: notDst[0], negate: true });
  if (r.destination.notSelector)
    match.push({
      kind: 'dstSet',
      set: setName(r.destination.notSelector),
      negate: true,
    });
  if (r.destination.notPorts.length)
    match.push({ kind: 'dstPorts', ports: multiport(r.destination.notPorts), negate: true });
  if (usingBlocks) match.push({ kind: 'markSet', mark: MARK_SCRATCH0 });

  // CombineMatchAndActionsForProtoRule.
  const out: FilterRule[] = [...blocks];
  const mark =
    r.action === 'Allow'
      ? MARK_ACCEPT
      : r.action === 'Pass'
        ? MARK_PASS
        : r.action === 'Deny'
          ? MARK_DROP
          : 0;
  const then: FilterAction =
    r.action === 'Deny'
      ? { kind: 'drop' }
      : r.action === 'Log'
        ? { kind: 'log', prefix: LOG_PREFIX }
        : { kind: 'return' };
  if (mark) {
    out.push({ match, action: { kind: 'setMark', mark }, origin });
    out.push({ match: [{ kind: 'markSet', mark }], action: then, origin });
  } else out.push({ match, action: then, origin });
  return out;
}

/**
 * ProtoRulesToIptablesRules: the rules of a policy (or profile) for one direction, trailing
 * RETURNs dropped, the chain's comment on its first rule.
 */
export function chainRules(
  rules: readonly PolicyRule[],
  comment: string,
  originOf: (index: number) => FilterRuleOrigin,
  ipVersion: IpVersion = 4,
): FilterRule[] {
  const out = rules.flatMap((r, i) => policyRuleToFilterRules(r, originOf(i), ipVersion));
  while (out.length && out[out.length - 1]!.action.kind === 'return') out.pop();
  if (out.length === 0) out.push({ match: [], action: { kind: 'none' }, origin: originOf(-1) });
  out[0] = { ...out[0]!, comments: [...(out[0]!.comments ?? []), comment] };
  return out;
}
