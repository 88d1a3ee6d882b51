// A customer's `ipset list` (Name:/Type:/Members:) or `ipset save` (create/add) output.
import type { Problem } from '../errors.js';
import { numberedLines, type DumpText } from './dump-text.js';

export interface SavedSet {
  name: string;
  type: string;
  line: number;
  members: { value: string; line: number }[];
}

export function parseIpsets(d: DumpText): { sets: SavedSet[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const sets: SavedSet[] = [];
  let current: SavedSet | undefined;
  let inMembers = false;
  for (const { n, line } of numberedLines(d.text)) {
    const t = line.trim();
    let m: RegExpExecArray | null;
    if ((m = /^Name: (\S+)$/.exec(t))) {
      current = { name: m[1]!, type: '', line: n, members: [] };
      sets.push(current);
      inMembers = false;
    } else if ((m = /^create (\S+) (\S+)/.exec(t))) {
      current = { name: m[1]!, type: m[2]!, line: n, members: [] };
      sets.push(current);
    } else if ((m = /^add (\S+) (\S+)/.exec(t))) {
      const set = sets.find((s) => s.name === m![1]);
      if (!set) problems.push(pos(d, n, `add to set ${m[1]} before its create line`));
      else set.members.push({ value: m[2]!, line: n });
    } else if (current && (m = /^Type: (\S+)$/.exec(t))) current.type = m[1]!;
    else if (current && t === 'Members:') inMembers = true;
    else if (current && inMembers && /^[0-9a-fA-F.:/,-]+(\s|$)/.test(t))
      current.members.push({ value: t.split(/\s+/)[0]!, line: n });
    else if (current && /^[A-Z][A-Za-z ]+:/.test(t))
      continue; // Revision:, Header:, References:…
    else problems.push(pos(d, n, `"${t.slice(0, 40)}" is not a line of ipset list or ipset save`));
  }
  for (const s of sets)
    if (!s.type)
      problems.push(pos(d, s.line, `truncated: set ${s.name} has no Type: line after its Name:`));
  return { sets, problems };
}

function pos(d: DumpText, line: number, message: string): Problem {
  return { position: { file: d.file, line, col: 1 }, message };
}
