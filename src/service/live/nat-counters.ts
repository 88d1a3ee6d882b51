// Packet counters per rule, read from the kernel: `iptables-save -t nat -c` on an iptables
// node, where each rule line starts with "[packets:bytes]", e.g.
// `[8:2515] -A POSTROUTING -m comment --comment "cali:…" -j cali-POSTROUTING`; and
// `nft list table ip calico` on an nftables node, where Felix gives every rule a `counter`.
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

/**
 * Counters of `nft list table ip calico`: one per rule with a counter, in its chain. The rule
 * text drops the values ("counter packets 8 bytes 2515" -> "counter"), so it reads as the
 * lab renders the rule (core/dataplane/render-nft.ts).
 */
export function parseNftCounters(text: string): NatRuleCounter[] {
  const out: NatRuleCounter[] = [];
  let chain = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const c = /^chain (\S+) \{$/.exec(line);
    if (c) {
      chain = c[1]!;
      continue;
    }
    if (line === '}') chain = '';
    const m = /\bcounter packets (\d+) bytes (\d+)/.exec(line);
    if (!m || !chain) continue;
    out.push({
      chain,
      rule: line.replace(m[0], 'counter'),
      packets: Number(m[1]),
      bytes: Number(m[2]),
    });
  }
  return out;
}
