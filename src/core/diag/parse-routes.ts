// A customer's `ip route` (or `ip route show table all`) output, one route a line.
import type { Problem } from '../errors.js';
import { numberedLines, type DumpText } from './dump-text.js';

export interface SavedRoute {
  line: number;
  text: string;
  type: string; // unicast, blackhole, local, …
  dst: string; // "default" or a CIDR (a bare address as /32)
  via?: string;
  dev?: string;
  proto?: string;
}

const TYPES = ['blackhole', 'unreachable', 'prohibit', 'local', 'broadcast', 'multicast', 'throw'];

export function parseRoutes(d: DumpText): { routes: SavedRoute[]; problems: Problem[] } {
  const routes: SavedRoute[] = [];
  const problems: Problem[] = [];
  for (const { n, line } of numberedLines(d.text)) {
    const words = line.trim().split(/\s+/);
    if (words[0]!.startsWith('#')) continue;
    const type = TYPES.includes(words[0]!) ? words.shift()! : 'unicast';
    const dst = words.shift() ?? '';
    if (dst !== 'default' && !/^[0-9a-fA-F.:]+(\/\d+)?$/.test(dst)) {
      problems.push({
        position: { file: d.file, line: n, col: 1 },
        message: `"${line.trim().slice(0, 40)}" is not a line of ip route`,
      });
      continue;
    }
    const opt = (k: string): string | undefined => {
      const i = words.indexOf(k);
      return i >= 0 ? words[i + 1] : undefined;
    };
    const via = opt('via');
    const dev = opt('dev');
    const proto = opt('proto');
    routes.push({
      line: n,
      text: line.trim(),
      type,
      dst: dst === 'default' || dst.includes('/') ? dst : `${dst}/${dst.includes(':') ? 128 : 32}`,
      ...(via ? { via } : {}),
      ...(dev ? { dev } : {}),
      ...(proto ? { proto } : {}),
    });
  }
  return { routes, problems };
}
