// Text the service sends to a client (a page in browser mode or Electron): never a host
// path, and never a client's own input echoed raw. Errors from Node or the runtime may carry
// absolute paths (ENOENT … open '/home/…/lab.yaml', "see /root/.cache/…/dockerd.log"): the
// client gets the file's name only. Names a client sent come back escaped and cut.
import { basename } from 'node:path';
import { printable } from '../core/errors.js';
import type { LabApiEventName, LabApiEvents } from './api.js';

/** Longest message a client is sent; the rest is cut, saying so. */
const MAX_MESSAGE = 8192;

// An absolute path: a '/' that starts a word (after a space, quote, bracket, '=' or the start),
// then at least one more segment. CIDRs ("10.0.0.0/24") and URLs ("unix:///…") do not match.
const ABSOLUTE_PATH = /(^|[\s'"`(=[,])(\/[^\s'"`()[\],:;]*\/[^\s'"`()[\],:;]*)/g;

/** A file name as a client may see it: the name without its folder. */
export function clientFileName(file: string): string {
  return file.includes('/') || file.includes('\\') ? basename(file.replace(/\\/g, '/')) : file;
}

/** Absolute host paths in a message replaced by their file names. */
export function withoutHostPaths(text: string): string {
  return text.replace(ABSOLUTE_PATH, (_m, lead: string, path: string) => {
    const name = basename(path.replace(/\/+$/, ''));
    return `${lead}${name || '/'}`;
  });
}

/** An error message fit for a client: no host paths, printable, bounded. */
export function clientMessage(text: string): string {
  const safe = printable(withoutHostPaths(text));
  return safe.length > MAX_MESSAGE
    ? `${safe.slice(0, MAX_MESSAGE)}…(${safe.length - MAX_MESSAGE} more characters)`
    : safe;
}

/** A name a client sent, as an error may echo it: escaped, at most 64 characters in a run. */
export function echoed(name: string): string {
  const cut = name.length > 128 ? `${name.slice(0, 128)}…` : name;
  return printable(cut, 64);
}

/**
 * An event as a client may see it: the texts that come from the runtime or the engine (a
 * progress step's detail, "starting dockerd (log: /root/.cache/…)", an error, why a capture
 * ended) without host paths. Other fields are data and pass as they are.
 */
export function clientEvent<E extends LabApiEventName>(
  event: E,
  payload: LabApiEvents[E],
): LabApiEvents[E] {
  const texts: Partial<Record<LabApiEventName, readonly string[]>> = {
    'lab:progress': ['detail', 'error'],
    'lab:event': ['message'],
    'capture:ended': ['reason'],
    'traffic:stats': ['error'],
  };
  const fields = texts[event];
  if (!fields) return payload;
  const out = { ...payload } as Record<string, unknown>;
  for (const f of fields) if (typeof out[f] === 'string') out[f] = clientMessage(out[f]);
  return out as LabApiEvents[E];
}
