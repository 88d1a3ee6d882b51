// Packet counters per rule from `iptables-save -t nat -c`: each rule line starts with
// "[packets:bytes]", e.g. `[8:2515] -A POSTROUTING -m comment --comment "cali:…" -j cali-POSTROUTING`.
import type { NatRuleCounter } from '../api.js';

export function parseNatCounters(text: string): NatRuleCounter[] {
  const out: NatRuleCounter[] = [];
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    const m = /^\[(\d+):(\d+)\] (-A (\S+) .*)$/.exec(line);
    if (!m || (table && table !== 'nat')) continue;
    out.push({ chain: m[4]!, rule: m[3]!, packets: Number(m[1]), bytes: Number(m[2]) });
  }
  return out;
}

/** The same text without counters and the generated/completed comments: what `iptables-save -t nat` lists. */
export function stripCounters(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^# (Generated|Completed)/.test(l))
    .map((l) => l.replace(/^\[\d+:\d+\] /, '').replace(/^(:\S+ \S+) \[\d+:\d+\]$/, '$1'))
    .join('\n');
}
