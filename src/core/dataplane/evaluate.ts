// A tiny netfilter for the nat POSTROUTING hook: walks the rule data the way the kernel
// walks the chains (jump, return, first terminal target wins) against ipset members, so
// explain decides from the same data that is rendered and applied, not from the pools.
import { cidrContains, splitAddress, ipToInt, maskOf } from '../net/cidr.js';
import { cidrHolds, isV6Text } from '../net/cidr6.js';
import { hashedRules } from './render-nat.js';
import { renderSaveLine } from './iptables-text.js';
import { nftChainName, nftHashedRules } from './render-nft.js';
import type { MatchCriterion, NatTable, NodeDataplane, Rule } from './types.js';

export interface NatPacket {
  src: string;
  dst: string;
  outIf: string; // egress interface on the node
  protocol?: 'icmp' | 'tcp' | 'udp'; // default icmp
}

export interface NatRuleHit {
  chain: string;
  index: number;
  hash: string;
  text: string; // iptables-save style, or nft's on an nftables node
}

export type NatVerdict =
  | { action: 'none'; visited: NatRuleHit[] }
  | {
      action: 'masquerade' | 'snat';
      rule: NatRuleHit;
      /** Source address after translation ('' when the interface has no address). */
      toSource: string;
      toPorts?: string;
      visited: NatRuleHit[];
    };

function inSet(dp: Pick<NodeDataplane, 'ipsets'>, set: string, addr: string): boolean {
  const s = dp.ipsets.find((x) => x.name === set);
  // cidrHolds: an IPv6 set (cali60…) against an IPv6 packet, IPv4 against IPv4.
  return !!s && s.members.some((m) => (m.includes('/') ? cidrHolds(m, addr) : m === addr));
}

function ifaceMatches(pattern: string, ifname: string): boolean {
  return pattern.endsWith('+') ? ifname.startsWith(pattern.slice(0, -1)) : pattern === ifname;
}

const PROTOCOL_NUMBERS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17 };

/** addrtype LOCAL: an address of the node (of the egress interface with --limit-iface-out). */
function isLocalSource(
  dp: Partial<Pick<NodeDataplane, 'interfaces'>>,
  src: string,
  onlyIf: string | undefined,
): boolean {
  return (dp.interfaces ?? []).some(
    (i) =>
      (onlyIf === undefined || i.ifname === onlyIf) &&
      i.addresses.some((a) => a.split('/')[0] === src),
  );
}

function matches(
  dp: Pick<NodeDataplane, 'ipsets'> & Partial<Pick<NodeDataplane, 'interfaces'>>,
  m: MatchCriterion,
  p: NatPacket,
): boolean {
  let r: boolean;
  switch (m.kind) {
    case 'srcSet':
      r = inSet(dp, m.set, p.src);
      break;
    case 'dstSet':
      r = inSet(dp, m.set, p.dst);
      break;
    case 'outInterface':
      r = ifaceMatches(m.name, p.outIf);
      break;
    case 'protocol':
      r = (p.protocol ?? 'icmp') === m.name;
      break;
    case 'ctstate':
      r = m.states.includes('NEW'); // nat rules only ever see a connection's first packet
      break;
    case 'protocolNum':
      r = PROTOCOL_NUMBERS[p.protocol ?? 'icmp'] === m.num;
      break;
    case 'srcAddrType':
      r = isLocalSource(dp, p.src, m.limitIfaceOut ? p.outIf : undefined);
      break;
  }
  return m.negate ? !r : r;
}

/**
 * The source MASQUERADE picks (the kernel's inet_select_addr): the first primary address of
 * the egress interface whose subnet holds the next hop, else its first primary address.
 * Secondary addresses (a later address in the subnet of an earlier one) are never picked.
 */
export function masqueradeSource(addresses: string[], nextHop: string): string {
  // IPv6 (NAT66): the interface's first global IPv6 address (source selection, RFC 6724; the
  // lab's interfaces hold one), in the next hop's subnet when one is.
  if (isV6Text(nextHop)) {
    const v6 = addresses.map(splitAddress).filter((a) => isV6Text(a.address));
    const hit = v6.find((p) => cidrHolds(`${p.address}/${p.prefix}`, nextHop));
    return (hit ?? v6[0])?.address ?? '';
  }
  addresses = addresses.filter((a) => !isV6Text(a));
  const primaries: { address: string; prefix: number }[] = [];
  for (const a of addresses) {
    const s = splitAddress(a);
    const secondary = primaries.some(
      (p) =>
        p.prefix === s.prefix &&
        ((ipToInt(p.address) ^ ipToInt(s.address)) & maskOf(p.prefix)) === 0,
    );
    if (!secondary) primaries.push(s);
  }
  const inSubnet = primaries.find((p) => cidrContains(`${p.address}/${p.prefix}`, nextHop));
  return (inSubnet ?? primaries[0])?.address ?? '';
}

/** Next hop of `dst` on the node: the gateway of the longest matching route, else dst itself. */
export function nextHopFor(dp: Pick<NodeDataplane, 'routes'>, dst: string): string {
  let best: { len: number; via?: string } | undefined;
  for (const r of dp.routes) {
    if (r.type === 'blackhole') continue;
    const cidr = r.dst === 'default' ? '0.0.0.0/0' : r.dst.includes('/') ? r.dst : `${r.dst}/32`;
    if (!cidrHolds(cidr, dst)) continue; // routes of the other family never match
    const len = Number(cidr.split('/')[1]);
    if (!best || len > best.len) best = { len, via: r.via };
  }
  return best?.via ?? dst;
}

export function evaluateNat(dp: NodeDataplane, packet: NatPacket): NatVerdict {
  const nft = dp.natDataplane === 'nftables';
  const hashed = nft ? [] : hashedRules(dp.nat);
  // IPv6 packets walk `table ip6 calico`, whose rules say `ip6` and hash so (render-nft6.ts).
  const nftHashed = nft ? nftHashedRules(dp.nat, packet.src.includes(':') ? 6 : 4) : [];
  const visited: NatRuleHit[] = [];
  // A hit names the rule as the node shows it: nft chain and text on an nftables node.
  const hit = (chain: string, index: number, rule: Rule): NatRuleHit => {
    if (nft) {
      const name = nftChainName(chain);
      const h = nftHashed.find((x) => x.chain === name && x.index === index && x.rule === rule);
      return { chain: name, index, hash: h?.hash ?? '', text: h?.text ?? '' };
    }
    const h = hashed.find((x) => x.chain === chain && x.index === index && x.rule === rule);
    const hash = h?.hash ?? '';
    return { chain, index, hash, text: renderSaveLine(chain, rule, hash) };
  };
  const rulesOf = (nat: NatTable, chain: string): Rule[] | undefined =>
    nat.chains.find((c) => c.name === chain)?.rules ??
    nat.appends.find((a) => a.chain === chain)?.rules;

  // Returns a verdict when a terminal target fired, undefined when the chain fell through.
  const walk = (chain: string, depth: number): NatVerdict | undefined => {
    if (depth > 16) return undefined; // loops cannot happen in Felix's tables; stay safe anyway
    const rules = rulesOf(dp.nat, chain) ?? [];
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (!rule.match.every((m) => matches(dp, m, packet))) continue;
      const h = hit(chain, i, rule);
      visited.push(h);
      const a = rule.action;
      if (a.kind === 'return') return undefined;
      if (a.kind === 'jump') {
        const v = walk(a.target, depth + 1);
        if (v) return v;
        continue;
      }
      if (a.kind === 'masquerade') {
        const addrs = dp.interfaces.find((x) => x.ifname === packet.outIf)?.addresses ?? [];
        return {
          action: 'masquerade',
          rule: h,
          toSource: masqueradeSource(addrs, nextHopFor(dp, packet.dst)),
          ...(a.toPorts ? { toPorts: a.toPorts } : {}),
          visited,
        };
      }
      const [addr = '', ports] = a.toSource.split(':');
      return {
        action: 'snat',
        rule: h,
        toSource: addr,
        ...(ports ? { toPorts: ports } : {}),
        visited,
      };
    }
    return undefined;
  };
  // Only our hooks live in POSTROUTING in a lab container.
  for (const a of dp.nat.appends) {
    const v = walk(a.chain, 0);
    if (v) return v;
  }
  return { action: 'none', visited };
}
