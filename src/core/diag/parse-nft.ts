// A customer's `nft list ruleset` (input parsing): tables, chains with their hooks and
// priorities, rules with their line and `cali:` comment, sets with their elements.
import type { Problem } from '../errors.js';
import type { DumpText } from './dump-text.js';

export interface NftSavedRule {
  line: number;
  table: string; // "ip calico"
  chain: string;
  text: string; // without counter values, handle and comment
  raw: string;
  hash?: string;
  index: number;
}

export interface NftSavedChain {
  table: string;
  name: string;
  line: number;
  hook?: { type: string; hook: string; priority: number };
}

export interface NftSavedSet {
  table: string;
  name: string;
  line: number;
  elements: { value: string; line: number }[];
}

export interface NftRuleset {
  chains: NftSavedChain[];
  rules: NftSavedRule[];
  sets: NftSavedSet[];
}

// nft's named priorities (nft(8), "PRIORITY").
const NAMED: Record<string, number> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
};

function priority(text: string): number | undefined {
  const m = /^(-?\d+|[a-z]+)(?:\s*([+-])\s*(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const base = /^-?\d+$/.test(m[1]!) ? Number(m[1]) : NAMED[m[1]!];
  if (base === undefined) return undefined;
  return m[2] ? base + (m[2] === '+' ? 1 : -1) * Number(m[3]) : base;
}

export function normalizeNftRule(text: string): string {
  return text
    .replace(/\s*# handle \d+\s*$/, '')
    .replace(/\s*comment "[^"]*"/, '')
    .replace(/counter packets \d+ bytes \d+/, 'counter')
    .replace(/\s+/g, ' ')
    .trim();
}

export function parseNftRuleset(d: DumpText): { ruleset: NftRuleset; problems: Problem[] } {
  const ruleset: NftRuleset = { chains: [], rules: [], sets: [] };
  const problems: Problem[] = [];
  let table = '';
  let chain: NftSavedChain | undefined;
  let set: NftSavedSet | undefined;
  let inElements = false;
  let depth = 0;
  let last = 0;
  d.text.split(/\r?\n/).forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    last = n;
    let m: RegExpExecArray | null;
    if (depth === 0) {
      if ((m = /^table (\S+) (\S+) \{/.exec(line))) table = `${m[1]} ${m[2]}`;
      else
        problems.push({
          position: { file: d.file, line: n, col: 1 },
          message: `"${line.slice(0, 40)}" is outside a table: nft list ruleset starts each with "table FAMILY NAME {"`,
        });
    } else if (depth === 1 && (m = /^chain (\S+) \{/.exec(line))) {
      chain = { table, name: m[1]!, line: n };
      ruleset.chains.push(chain);
    } else if (depth === 1 && (m = /^set (\S+) \{/.exec(line))) {
      set = { table, name: m[1]!, line: n, elements: [] };
      ruleset.sets.push(set);
    } else if (depth === 2 && chain) {
      if ((m = /^type (\S+) hook (\S+) priority ([^;]+);/.exec(line))) {
        const p = priority(m[3]!);
        if (p !== undefined) chain.hook = { type: m[1]!, hook: m[2]!, priority: p };
      } else if (line !== '}' && !/^policy \S+;$/.test(line)) {
        const hash = /comment "cali:([A-Za-z0-9_-]{16});?/.exec(line)?.[1];
        const index = ruleset.rules.filter(
          (r) => r.table === table && r.chain === chain!.name,
        ).length;
        ruleset.rules.push({
          line: n,
          table,
          chain: chain.name,
          text: normalizeNftRule(line),
          raw: line.replace(/\s*# handle \d+\s*$/, ''),
          index,
          ...(hash ? { hash } : {}),
        });
      }
    }
    if (set && depth >= 2 && (inElements || /^elements = \{/.test(line))) {
      inElements = !line.includes('}');
      const body = line.replace(/^elements = \{/, '').replace(/\}.*$/, '');
      for (const v of body
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean))
        set.elements.push({ value: v.split(/\s+/)[0]!, line: n });
    }
    const unquoted = line.replace(/"[^"]*"/g, '');
    depth += (unquoted.match(/\{/g)?.length ?? 0) - (unquoted.match(/\}/g)?.length ?? 0);
    if (depth < 2) {
      chain = undefined;
      set = undefined;
      inElements = false;
    }
    if (depth < 1) table = '';
  });
  if (depth > 0)
    problems.push({
      position: { file: d.file, line: last || 1, col: 1 },
      message: `truncated: ${depth} block(s) still open where the file ends`,
    });
  return { ruleset, problems };
}
