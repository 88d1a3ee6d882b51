// Which Calico resource or setting put a rule of the plan on a node, said in Calico's terms,
// from the rule's data (chain, action, matches) and the node's resources; no text is parsed.
// Felix's sources: felix/rules/nat.go (cali-nat-outgoing), felix/rules/static.go (the
// POSTROUTING hook and cali-POSTROUTING's jumps).
import type { HashedRule } from '../dataplane/render-nat.js';
import type { FelixConfiguration, IPPool } from '../model/calico.js';
import { cidrContains } from '../net/cidr.js';

export interface RuleOrigin {
  /** Short name of what the rule is for, e.g. "outgoing NAT (MASQUERADE)". */
  role: string;
  /** The resources and settings behind it, e.g. "IPPool default-ipv4-ippool (natOutgoing: true)". */
  source: string;
}

function natPools(pools: IPPool[]): IPPool[] {
  return pools.filter((p) => !p.spec.cidr.includes(':') && p.spec.natOutgoing);
}

function poolList(pools: IPPool[]): string {
  return pools.length
    ? pools.map((p) => `IPPool ${p.name} (${p.spec.cidr}, natOutgoing: true)`).join(', ')
    : 'no IPPool with natOutgoing';
}

export function ruleOrigin(r: HashedRule, pools: IPPool[], felix: FelixConfiguration): RuleOrigin {
  const a = r.rule.action;
  if (r.appended)
    return {
      role: `Felix's hook from ${r.chain} into ${a.kind === 'jump' ? a.target : 'its chain'}`,
      source: 'programmed by Felix on every node (felix/rules/static.go)',
    };
  if (r.chain === 'cali-POSTROUTING' && a.kind === 'jump')
    return {
      role: `Felix's jump to ${a.target}`,
      source:
        a.target === 'cali-fip-snat'
          ? 'floating IPs: always programmed (felix/rules/static.go)'
          : 'outgoing NAT: always programmed (felix/rules/static.go)',
    };
  if (r.chain === 'cali-nat-outgoing') {
    const proto = r.rule.match.find((m) => m.kind === 'protocol');
    const settings: string[] = [];
    if (felix.spec.natOutgoingAddress)
      settings.push(`FelixConfiguration natOutgoingAddress: ${felix.spec.natOutgoingAddress}`);
    if (felix.spec.natPortRange)
      settings.push(`FelixConfiguration natPortRange: ${felix.spec.natPortRange}`);
    if (felix.spec.iptablesNATOutgoingInterfaceFilter)
      settings.push(
        `FelixConfiguration iptablesNATOutgoingInterfaceFilter: ${felix.spec.iptablesNATOutgoingInterfaceFilter}`,
      );
    if (felix.spec.natOutgoingExclusions === 'IPPoolsAndHostIPs')
      settings.push('FelixConfiguration natOutgoingExclusions: IPPoolsAndHostIPs');
    const what =
      a.kind === 'return'
        ? `natPortRange's RETURN after the ${proto?.kind === 'protocol' ? proto.name : ''} port-range rule`
        : a.kind === 'snat'
          ? `outgoing NAT (SNAT to ${a.toSource})`
          : `outgoing NAT (MASQUERADE${a.kind === 'masquerade' && a.toPorts ? ` to ports ${a.toPorts}` : ''})`;
    return {
      role: what,
      source: [poolList(natPools(pools)), ...settings].join('; '),
    };
  }
  return { role: `rule of ${r.chain}`, source: 'Felix' };
}

/** The pool a packet's source address falls in: what made a MASQUERADE/SNAT rule hit it. */
export function poolOfAddress(pools: IPPool[], address: string): IPPool | undefined {
  return pools
    .filter((p) => !p.spec.cidr.includes(':') && cidrContains(p.spec.cidr, address))
    .sort((x, y) => Number(y.spec.cidr.split('/')[1]) - Number(x.spec.cidr.split('/')[1]))[0];
}
