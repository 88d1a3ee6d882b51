// Packet counters of the perimeter firewall, read from the router's kernel: `iptables-save -t
// filter -c`, each rule line starting with "[packets:bytes]". Only the firewall's chains
// (outbound, inbound) and their hooks in FORWARD: the rest of the router's filter table is not the lab's.
import { FIREWALL_CHAIN, FIREWALL_INBOUND_CHAIN } from '../../core/dataplane/perimeter-types.js';
import type { NatRuleCounter } from '../api.js';

export const FIREWALL_COUNTERS_ARGV = ['iptables-save', '-t', 'filter', '-c'];

export function parseFirewallCounters(text: string): NatRuleCounter[] {
  const out: NatRuleCounter[] = [];
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    const m = /^\[(\d+):(\d+)\] (-A (\S+) .*)$/.exec(line);
    if (!m || table !== 'filter') continue;
    const chain = m[4]!;
    const ours = (c: string) => c === FIREWALL_CHAIN || c === FIREWALL_INBOUND_CHAIN;
    const target = /-j (\S+)$/.exec(m[3]!)?.[1] ?? '';
    if (!ours(chain) && !(chain === 'FORWARD' && ours(target))) continue;
    out.push({ chain, rule: m[3]!, packets: Number(m[1]), bytes: Number(m[2]) });
  }
  return out;
}
