// The kernel's own trace of one packet (`nft monitor trace` output, nftables' `meta nftrace`),
// mapped back to the plan: each rule it hit found by its handle in `nft -a list ruleset`, its
// position in the chain matched with `iptables-save`'s `cali:` hash (iptables-nft rules carry
// their comment where nft does not print it), and the hash to the plan's rule data, whose
// origin says which pool or setting made it. Pure: the runtime's execs bring the texts.
import type { Explanation } from '../explain/types.js';
import { hashedRules } from '../dataplane/render-nat.js';
import { nftChainName, nftRuleHashes } from '../dataplane/render-nft.js';
import type { NodeDataplane } from '../dataplane/types.js';
import type { FelixConfiguration, IPPool } from '../model/calico.js';
import { parseIptablesSave } from './parse-iptables-save.js';
import { poolOfAddress, ruleOrigin } from './rule-origin.js';

/** The table the trace adds around the probe (and removes after it). */
export const TRACE_TABLE = 'egresslab_trace';

export interface TraceHit {
  table: string; // "ip nat"
  chain: string;
  handle?: number;
  /** The kernel's verdict for this rule, e.g. "jump cali-nat-outgoing", "accept"; "policy accept" for a chain's end. */
  verdict: string;
  text: string; // the rule as nft prints it
  hash?: string; // its cali: hash, when it is Felix's
  /** Which pool or setting put the rule there, in Calico's terms. */
  origin?: string;
  /** Not Calico's rule: the kernel hit another program's (Docker, kube-proxy, …). */
  foreign?: boolean;
}

export interface KernelTrace {
  hits: TraceHit[];
  /** What the kernel did to the packet's source in the nat table, as the trace shows it. */
  nat: { action: 'none' | 'masquerade' | 'snat'; hash?: string; pool?: string };
  /** Where explain and the kernel disagree (empty: they agree). */
  disagreements: string[];
}

interface TraceLine {
  id: string;
  table: string;
  chain: string;
  kind: 'packet' | 'rule' | 'policy' | 'verdict' | 'other';
  handle?: number;
  verdict?: string;
  text: string;
}

const LINE =
  /^trace id (\w+) (ip|ip6|inet|arp|bridge|netdev) (\S+) (\S+) (packet|rule|policy|verdict)(?::)?\s?(.*)$/;

export function parseNftTrace(text: string): TraceLine[] {
  const out: TraceLine[] = [];
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw.trim());
    if (!m) continue;
    const [, id, family, table, chain, kind, rest = ''] = m;
    const handle = /# handle (\d+)/.exec(rest)?.[1];
    const verdict =
      kind === 'policy'
        ? `policy ${rest.trim()}`
        : (/\(verdict ([^)]+)\)\s*$/.exec(rest)?.[1] ?? (kind === 'verdict' ? rest.trim() : ''));
    out.push({
      id: id!,
      table: `${family} ${table}`,
      chain: chain!,
      kind: kind as TraceLine['kind'],
      ...(handle ? { handle: Number(handle) } : {}),
      verdict,
      text: rest
        .replace(/\s*# handle \d+.*$/, '')
        .replace(/\s*\(verdict [^)]+\)\s*$/, '')
        .trim(),
    });
  }
  return out;
}

/** `nft -a list ruleset`: per "family table chain", the rules' handles in order (and comments). */
export function parseRulesetHandles(
  text: string,
): Map<string, { handle: number; comment?: string }[]> {
  const out = new Map<string, { handle: number; comment?: string }[]>();
  let table = '';
  let chain = '';
  let depth = 0; // braces open before this line (sets and their elements nest too)
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if (depth === 0 && (m = /^table (\S+) (\S+) \{/.exec(line))) table = `${m[1]} ${m[2]}`;
    else if (depth === 1 && (m = /^chain (\S+) \{/.exec(line))) {
      chain = m[1]!;
      out.set(`${table} ${chain}`, []);
    } else if (depth === 2 && chain && (m = /# handle (\d+)\s*$/.exec(line))) {
      const comment = /comment "([^"]*)"/.exec(line)?.[1];
      out.get(`${table} ${chain}`)?.push({ handle: Number(m[1]), ...(comment ? { comment } : {}) });
    }
    const unquoted = line.replace(/"[^"]*"/g, '');
    depth += (unquoted.match(/\{/g)?.length ?? 0) - (unquoted.match(/\}/g)?.length ?? 0);
    if (depth < 2) chain = '';
    if (depth < 1) table = '';
  }
  return out;
}

export interface TraceInput {
  dp: NodeDataplane;
  pools: IPPool[];
  felix: FelixConfiguration;
  /** The probe's source address (the pod's). */
  source: string;
  monitor: string; // `nft -a monitor` output
  ruleset: string; // `nft -a list ruleset`
  iptablesSave: string; // `iptables-save -t nat` (iptables-nft): the cali: comments
  explanation?: Explanation;
}

export function mapKernelTrace(input: TraceInput): KernelTrace {
  const lines = parseNftTrace(input.monitor).filter(
    (l) => l.table !== `ip ${TRACE_TABLE}` && (l.kind === 'rule' || l.kind === 'policy'),
  );
  // The probe's own trace id: the first one that reached a table of the node's.
  const id = lines[0]?.id;
  const handles = parseRulesetHandles(input.ruleset);
  const save = parseIptablesSave({ file: 'iptables-save', text: input.iptablesSave }).save;
  const savedNat = save.tables.find((t) => t.name === 'nat');
  // Felix's rule IDs in either dataplane: iptables hashes, and nftables' (own chain names).
  const planned = new Map(hashedRules(input.dp.nat).map((r) => [r.hash, r]));
  const table = input.dp.nat;
  for (const [name, rules, appended] of [
    ...table.chains.map((c) => [c.name, c.rules, false] as const),
    ...table.appends.map((a) => [a.chain, a.rules, true] as const),
  ]) {
    const nftName = nftChainName(name);
    nftRuleHashes(appended ? `${nftName}*appends*` : nftName, rules).forEach((hash, index) =>
      planned.set(hash, { chain: name, index, hash, rule: rules[index]!, appended }),
    );
  }
  const pool = poolOfAddress(input.pools, input.source);
  const hits: TraceHit[] = [];
  for (const l of lines.filter((x) => x.id === id)) {
    const hit: TraceHit = {
      table: l.table,
      chain: l.chain,
      verdict: l.verdict ?? '',
      text: l.text,
    };
    if (l.handle !== undefined) hit.handle = l.handle;
    if (l.kind === 'rule' && l.handle !== undefined) {
      const inChain = handles.get(`${l.table} ${l.chain}`) ?? [];
      const index = inChain.findIndex((r) => r.handle === l.handle);
      // nftables mode: Felix's comment is on the rule itself; iptables-nft: by position.
      const comment =
        inChain[index]?.comment ??
        (l.table === 'ip nat'
          ? savedNat?.rules.filter((r) => r.chain === l.chain)[index]?.text
          : undefined);
      // nft prints a native comment in the trace line itself, too.
      const hash = /cali:([A-Za-z0-9_-]{16})/.exec(comment ?? l.text)?.[1];
      if (hash) {
        hit.hash = hash;
        const r = planned.get(hash);
        if (r) {
          const o = ruleOrigin(r, input.pools, input.felix);
          const nat = r.rule.action.kind === 'masquerade' || r.rule.action.kind === 'snat';
          hit.origin =
            nat && pool
              ? `${o.role}: the source ${input.source} is in IPPool ${pool.name} (${pool.spec.cidr}, natOutgoing: ${pool.spec.natOutgoing}), a member of cali40masq-ipam-pools`
              : `${o.role} [${o.source}]`;
        } else hit.origin = `cali:${hash} is no rule of the lab's plan for this node`;
      } else hit.foreign = true;
    }
    hits.push(hit);
  }
  // The rule that translated: a matched rule with a masquerade or snat statement.
  const natHit = hits.find(
    (h) => h.handle !== undefined && /(?:^|\s)(masquerade|snat)(?=\s|$)/.test(h.text),
  );
  const nat: KernelTrace['nat'] = natHit
    ? {
        action: /(?:^|\s)snat(?=\s|$)/.test(natHit.text) ? 'snat' : 'masquerade',
        ...(natHit.hash ? { hash: natHit.hash } : {}),
        ...(pool ? { pool: pool.name } : {}),
      }
    : { action: 'none' };
  return { hits, nat, disagreements: disagreements(input.explanation, nat, natHit, id) };
}

function disagreements(
  e: Explanation | undefined,
  nat: KernelTrace['nat'],
  natHit: TraceHit | undefined,
  id: string | undefined,
): string[] {
  if (!id)
    return ["the kernel traced no rule of the node's for the probe (did it reach the node?)"];
  if (!e) return [];
  const out: string[] = [];
  if (e.nat.action === 'none' && nat.action !== 'none')
    out.push(
      `explain says no NAT, but the kernel ${nat.action === 'snat' ? 'SNATed' : 'MASQUERADEd'} the packet in ${natHit!.chain}${natHit!.hash ? ` (cali:${natHit!.hash})` : ` (a rule that is not Calico's: ${natHit!.text})`}`,
    );
  else if (e.nat.action !== 'none' && nat.action === 'none')
    out.push(
      `explain says ${e.nat.rule.chain} rule cali:${e.nat.rule.hash} ${e.nat.action === 'snat' ? 'SNATs' : 'MASQUERADEs'} the packet, but the kernel hit no NAT rule`,
    );
  else if (e.nat.action !== 'none' && nat.hash !== e.nat.rule.hash)
    out.push(
      `explain says cali:${e.nat.rule.hash} in ${e.nat.rule.chain} translates the packet; the kernel used ${natHit!.hash ? `cali:${natHit!.hash}` : `a rule that is not Calico's (${natHit!.text})`} in ${natHit!.chain}`,
    );
  return out;
}
