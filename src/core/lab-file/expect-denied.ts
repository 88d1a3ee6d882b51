// `allowed: false` in an expect entry: the flow must be dropped on its way (by network policy,
// or by a firewall on the path), so nothing reaches the destination and no reply comes back.
import type { FieldPath } from '../calico/field-error.js';

interface RawEntry {
  seenAs?: string;
  reply?: boolean;
  allowed?: boolean;
}

/**
 * undefined: an ordinary entry; 'denied': a valid denied entry; 'bad': a denied entry that
 * contradicts itself (a problem was reported).
 */
export function deniedExpectation(
  x: RawEntry,
  path: FieldPath,
  P: (path: FieldPath, message: string) => void,
): 'denied' | 'bad' | undefined {
  if (x.allowed !== false) return undefined;
  if (x.reply === true) {
    P([...path, 'reply'], 'a denied flow (allowed: false) cannot get a reply: leave reply out');
    return 'bad';
  }
  if (x.seenAs !== undefined) {
    P(
      [...path, 'seenAs'],
      'a denied flow (allowed: false) reaches no destination, so nothing is seen: leave seenAs out',
    );
    return 'bad';
  }
  return 'denied';
}
