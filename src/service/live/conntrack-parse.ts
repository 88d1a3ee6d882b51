// Parses `conntrack -L` (conntrack-tools 1.4.7) default and `-o extended` output:
//   udp      17 107 src=192.168.0.0 dst=203.0.113.10 sport=40000 dport=8081 src=203.0.113.10 dst=172.30.0.11 sport=8081 dport=48603 [ASSURED] mark=0 use=1
// The first src/dst/… group is the original direction, the second the reply. SNAT shows as a
// reply destination that is not the original source.
import type { ConntrackEntry, ConntrackTuple } from '../api.js';

const TUPLE_KEYS = new Set(['src', 'dst', 'sport', 'dport', 'type', 'code', 'id']);

export function parseConntrackLine(raw: string): ConntrackEntry | undefined {
  let tokens = raw.trim().split(/\s+/);
  if (tokens[0] === 'ipv4' || tokens[0] === 'ipv6') tokens = tokens.slice(2); // -o extended: "ipv4 2 …"
  const protocol = tokens[0];
  if (!protocol || !/^[a-z0-9]+$/.test(protocol) || !/^\d+$/.test(tokens[1] ?? ''))
    return undefined;
  const timeout = /^\d+$/.test(tokens[2] ?? '') ? Number(tokens[2]) : undefined;
  const tuples: Record<string, string>[] = [{}];
  const flags: string[] = [];
  let state: string | undefined;
  for (const tok of tokens.slice(timeout === undefined ? 2 : 3)) {
    const flag = /^\[([A-Z_]+)\]$/.exec(tok);
    if (flag) {
      flags.push(flag[1]!);
      continue;
    }
    const kv = /^([a-z_]+)=(.*)$/.exec(tok);
    if (!kv) {
      if (/^[A-Z_]+$/.test(tok) && !state) state = tok; // TCP state, e.g. ESTABLISHED
      continue;
    }
    const [, key, value] = kv as unknown as [string, string, string];
    if (!TUPLE_KEYS.has(key)) continue; // mark=, use=, zone=, …
    let cur = tuples[tuples.length - 1]!;
    if (key in cur) {
      if (tuples.length === 2) continue; // a third group would be a parse error; ignore
      cur = {};
      tuples.push(cur);
    }
    cur[key] = value;
  }
  const [o, r] = tuples;
  if (!o?.src || !o.dst || !r?.src || !r.dst) return undefined;
  const tuple = (t: Record<string, string>): ConntrackTuple => ({
    src: t.src!,
    dst: t.dst!,
    ...(t.sport !== undefined ? { sport: Number(t.sport) } : {}),
    ...(t.dport !== undefined ? { dport: Number(t.dport) } : {}),
    ...(t.id !== undefined ? { icmpId: Number(t.id) } : {}),
    ...(t.type !== undefined ? { icmpType: Number(t.type) } : {}),
  });
  const original = tuple(o);
  const reply = tuple(r);
  const translated = reply.dst !== original.src;
  return {
    protocol,
    original,
    reply,
    translated,
    ...(translated ? { translatedTo: reply.dst } : {}),
    ...(original.src.includes(':') ? { ipVersion: 6 as const } : {}),
    raw: raw.trim(),
    ...(timeout !== undefined ? { timeout } : {}),
    ...(state ? { state } : {}),
    ...(flags.length ? { flags } : {}),
  };
}

export function parseConntrackList(text: string): ConntrackEntry[] {
  return text
    .split('\n')
    .map((l) => parseConntrackLine(l))
    .filter((e): e is ConntrackEntry => e !== undefined);
}

/** "conntrack v1.4.7 (conntrack-tools): 8 flow entries have been deleted." → 8. */
export function parseDeletedCount(text: string): number | undefined {
  const m = /(\d+) flow entr(?:y|ies) ha(?:s|ve) been deleted/.exec(text);
  return m ? Number(m[1]) : undefined;
}
