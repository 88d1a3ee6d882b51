// Input of `ipset restore` that makes each set exist and hold exactly its members, the way
// Felix rewrites a set (felix/ipsets/ipsets.go): fill a temporary set, then `swap` it with
// the live one, so a packet never sees a half-written set. Safe to apply again and again.
import type { IpSet } from './types.js';

export const IPSET_MAXELEM = 1048576; // Felix's default MaxIPSetSize

/** Temporary set names; short so they stay under ipset's 31-character limit. */
export function tempSetName(index: number): string {
  return `cali4t${index}`;
}

export function renderIpsetRestore(ipsets: IpSet[]): string {
  const lines: string[] = [];
  ipsets.forEach((set, i) => {
    const spec = `${set.type} family ${set.family} maxelem ${IPSET_MAXELEM}`;
    const tmp = tempSetName(i);
    lines.push(`create ${set.name} ${spec} -exist`);
    lines.push(`create ${tmp} ${spec} -exist`);
    lines.push(`flush ${tmp}`);
    for (const m of set.members) lines.push(`add ${tmp} ${m}`);
    lines.push(`swap ${tmp} ${set.name}`);
    lines.push(`destroy ${tmp}`);
  });
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** `ipset list`-like summary for display: one line per set. */
export function describeIpsets(ipsets: IpSet[]): string {
  return ipsets.map((s) => `${s.name} (${s.type}): ${s.members.join(' ') || '(empty)'}`).join('\n');
}

/**
 * Just the sets and their members as `create`/`add` lines, for a runtime that stages and swaps
 * sets itself (renderIpsetRestore already does the staging; do not feed this to `ipset restore`
 * on a live set, it would only add members, never remove them).
 */
export function renderIpsetPlain(ipsets: IpSet[]): string {
  const lines: string[] = [];
  for (const set of ipsets) {
    lines.push(`create ${set.name} ${set.type} family ${set.family} maxelem ${IPSET_MAXELEM}`);
    for (const m of set.members) lines.push(`add ${set.name} ${m}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
