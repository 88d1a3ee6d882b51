// A change to a running lab (patch, apply -f, delete) says the IPv6 warnings `validate` and `up`
// give for the same lab (lab-file/checks-ipv6.ts ipv6Warnings): the load computed them once and
// the lab carries them (Lab.warnings); a change recomputes them for the new lab, so e.g. a patch
// that makes an IPv6 pool NAT while the FelixConfiguration sets natOutgoingAddress warns in its
// reply, and a warning that no longer holds goes.
import { printableProblem, type Problem } from '../errors.js';
import { ipv6Warnings } from '../lab-file/checks-ipv6.js';
import { oneLine } from '../lab-file/load.js';
import { SourceIndex } from '../lab-file/source-index.js';
import type { Lab } from '../model/lab.js';

const key = (p: Problem): string =>
  [p.kind ?? '', p.name ?? '', p.field ?? '', p.message].join('\u0000');

/** ipv6Warnings as a lab stores its warnings (one line each, printable). */
function stored(lab: Lab, index: SourceIndex): Problem[] {
  return oneLine(ipv6Warnings(lab, index)).map(printableProblem);
}

/**
 * `next`'s warnings with the IPv6 ones recomputed: those of `before` dropped, those of `next`
 * added. A warning that held before keeps its position in the lab file; a new one is placed in
 * the applied sources when `index` knows them (apply -f), else it has no position (patch).
 */
export function withIpv6Warnings(before: Lab, next: Lab, index = new SourceIndex()): Lab {
  const old = new Set(stored(before, new SourceIndex()).map(key));
  const had = new Map((before.warnings ?? []).map((w) => [key(w), w]));
  const rest = (next.warnings ?? []).filter((w) => !old.has(key(w)));
  const seen = new Set(rest.map(key));
  const fresh: Problem[] = [];
  for (const w of stored(next, index)) {
    const k = key(w);
    if (seen.has(k)) continue;
    seen.add(k);
    fresh.push(w.position ? w : (had.get(k) ?? w));
  }
  const all = [...rest, ...fresh];
  const { warnings: _drop, ...others } = next;
  return all.length ? { ...others, warnings: all } : others;
}
