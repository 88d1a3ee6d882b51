// Per-rule packet counters of network policy: the filter table's Calico rules in
// `iptables-save -c` (our cali- chains and our cali: hooks in FORWARD), as the nat table's are
// read in nat-counters.ts; the Rules screen lists them with the nat table's.
import type { NatRuleCounter } from '../api.js';

export function parseFilterCounters(text: string): NatRuleCounter[] {
  const out: NatRuleCounter[] = [];
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    const m = /^\[(\d+):(\d+)\] (-A (\S+) .*)$/.exec(line);
    if (!m || table !== 'filter') continue;
    if (!m[4]!.startsWith('cali-') && !m[3]!.includes('cali:')) continue;
    out.push({ chain: m[4]!, rule: m[3]!, packets: Number(m[1]), bytes: Number(m[2]) });
  }
  return out;
}
