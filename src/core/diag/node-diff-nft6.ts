// `diff` of a customer's `nft list ruleset` on a dual-stack node in nftables mode: Felix's
// `table ip6 calico` (core/dataplane/render-nft6.ts) against the lab's, rule by rule by cali:
// hash in each chain and set by set (the cali60 sets), as node-diff.ts does for `ip calico`.
import { felixIpv6, nft6HashedRules } from '../dataplane/render-nft6.js';
import type { NodeDataplane } from '../dataplane/types.js';
import { normalizeNftRule, type NftRuleset } from './parse-nft.js';
import type { DiffFinding } from './types.js';

const TABLE = 'ip6 calico';

const at = (file: string, line: number) => ({ file, line, col: 1 });

/** nft lists a /128 element as its address. */
const member = (v: string): string => (v.includes('/') ? v : `${v}/128`);

/** Findings for the ip6 table; what matched (rules, set members). */
export function diffNft6(
  dp: NodeDataplane,
  file: string,
  ruleset: NftRuleset,
  findings: DiffFinding[],
): { rules: number; members: number } {
  const matched = { rules: 0, members: 0 };
  const v6 = felixIpv6(dp);
  const present = ruleset.chains.some((c) => c.table === TABLE);
  if (!v6) {
    if (dp.ipv6 && present)
      findings.push({
        kind: 'not-compared',
        severity: 'info',
        position: at(file, ruleset.chains.find((c) => c.table === TABLE)!.line),
        message: `table ${TABLE} is in this ruleset, but the lab's FelixConfiguration has ipv6Support false (Felix programs no IPv6 then, and leaves what an earlier run programmed): not compared`,
      });
    return matched;
  }
  if (!present) {
    findings.push({
      kind: 'missing-rule',
      severity: 'error',
      message: `no table ${TABLE} in this ruleset: Felix in nftables mode with IPv6 on (ipv6Support true) programs its IPv6 NAT there; IPv6 pods with natOutgoing leave with their own addresses`,
    });
    return matched;
  }
  const expected = nft6HashedRules(v6);
  for (const chain of [...new Set(expected.map((r) => r.chain))]) {
    const exp = expected.filter((r) => r.chain === chain);
    if (!ruleset.chains.some((c) => c.table === TABLE && c.name === chain)) {
      findings.push({
        kind: 'missing-rule',
        severity: 'error',
        chain,
        message: `Felix's chain ${chain} is missing from table ${TABLE} (${exp.length} rule(s))`,
      });
      continue;
    }
    const cali = ruleset.rules.filter((r) => r.table === TABLE && r.chain === chain && r.hash);
    for (let i = 0; i < Math.max(exp.length, cali.length); i++) {
      const e = exp[i];
      const f = cali[i];
      if (e && f) {
        if (f.hash === e.hash || f.text === normalizeNftRule(e.text)) matched.rules++;
        else
          findings.push({
            kind: 'changed-rule',
            severity: 'error',
            position: at(file, f.line),
            chain,
            hash: e.hash,
            expected: e.text,
            found: f.raw,
            message: `rule ${i + 1} of ${TABLE} ${chain} differs: Felix would program cali:${e.hash} here, the node has cali:${f.hash}`,
          });
      } else if (e)
        findings.push({
          kind: 'missing-rule',
          severity: 'error',
          chain,
          hash: e.hash,
          expected: e.text,
          message: `missing from ${TABLE} ${chain}: cali:${e.hash}`,
        });
      else if (f)
        findings.push({
          kind: 'extra-rule',
          severity: 'error',
          position: at(file, f.line),
          chain,
          hash: f.hash!,
          found: f.raw,
          message: `cali:${f.hash} in ${TABLE} ${chain} is no rule the lab's resources give: a setting the lab does not have, or a stale rule`,
        });
    }
  }
  for (const want of v6.ipsets) {
    const got = ruleset.sets.find((s) => s.table === TABLE && s.name === want.name);
    if (!got) {
      findings.push({
        kind: 'missing-set',
        severity: 'error',
        set: want.name,
        message: `Felix's set ${want.name} is missing from table ${TABLE} (it should hold ${want.members.join(', ') || 'nothing yet'})`,
      });
      continue;
    }
    const have = got.elements.map((x) => ({ ...x, value: member(x.value) }));
    for (const m of want.members) {
      if (have.some((h) => h.value === m)) matched.members++;
      else
        findings.push({
          kind: 'missing-member',
          severity: 'error',
          position: at(file, got.line),
          set: want.name,
          expected: m,
          message: `${m} is missing from ${TABLE} @${want.name}`,
        });
    }
    for (const h of have.filter((x) => !want.members.includes(x.value)))
      findings.push({
        kind: 'stale-member',
        severity: 'error',
        position: at(file, h.line),
        set: want.name,
        found: h.value,
        message: `${h.value} is in ${TABLE} @${want.name}, but no pool (or node) of the lab gives it`,
      });
  }
  return matched;
}
