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

/** The two stages of an apply's ipset update (runtime/agent/apply.sh), each `ipset restore` input. */
export interface IpsetStages {
  /** Creates each set if missing (a new set starts empty) and fills a temporary copy of it. */
  stage: string;
  /** Swaps each temporary set with the live one and destroys it: members change atomically. */
  swap: string;
  names: string[]; // the sets the node should have; the apply destroys other cali sets
}

const SET_NAME = /^[A-Za-z0-9_.:-]{1,31}$/;
const MEMBER = /^[A-Za-z0-9_.:/,-]+$/;

/**
 * Felix's way to rewrite sets, in two steps so the nat rules can be restored in between:
 * the stage leaves the live sets as they are, so a rejected rule set changes nothing.
 * @param tempPrefix names the temporary sets (`<prefix><index>`); the apply removes leftovers by it.
 */
export function renderIpsetStages(ipsets: readonly IpSet[], tempPrefix: string): IpsetStages {
  const stage: string[] = [];
  const swap: string[] = [];
  ipsets.forEach((set, i) => {
    const tmp = `${tempPrefix}${i}`;
    // Values go to `ipset restore` as words of a line: refuse any that would not be one.
    if (!SET_NAME.test(set.name) || !SET_NAME.test(tmp))
      throw new Error(`bad ipset name ${set.name}`);
    const bad = set.members.find((m) => !MEMBER.test(m));
    if (bad !== undefined) throw new Error(`ipset ${set.name}: bad member "${bad}"`);
    const spec = `${set.type} family ${set.family} maxelem ${IPSET_MAXELEM}`;
    stage.push(`create ${set.name} ${spec} -exist`, `create ${tmp} ${spec}`);
    for (const m of set.members) stage.push(`add ${tmp} ${m} -exist`);
    swap.push(`swap ${set.name} ${tmp}`, `destroy ${tmp}`);
  });
  return { stage: joinLines(stage), swap: joinLines(swap), names: ipsets.map((s) => s.name) };
}

function joinLines(lines: string[]): string {
  return lines.length ? `${lines.join('\n')}\n` : '';
}
