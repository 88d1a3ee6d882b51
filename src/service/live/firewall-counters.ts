// Packet counters of the perimeter firewall, read from the router's kernel: `iptables-save -t
// filter -c`, each rule line starting with "[packets:bytes]". Only the firewall's chain and its
// hook in FORWARD: the rest of the router's filter table is not the lab's.
import { FIREWALL_CHAIN } from '../../core/dataplane/perimeter-types.js';
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
    if (
      chain !== FIREWALL_CHAIN &&
      !(chain === 'FORWARD' && m[3]!.endsWith(`-j ${FIREWALL_CHAIN}`))
    )
      continue;
    out.push({ chain, rule: m[3]!, packets: Number(m[1]), bytes: Number(m[2]) });
  }
  return out;
}
