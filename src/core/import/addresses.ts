// Address choices for an imported lab: the fabric, the router and the hosts' segments, all
// clear of the customer's pools (a pod address must never equal a lab address) and of each other.
import { cidrsOverlap, intToIp, ipToInt, maskOf, parseCidr4 } from '../net/cidr.js';

/** Fabric candidates, in order of preference (private ranges rarely used for pods last). */
export const FABRIC_CANDIDATES = [
  '172.30.0.0/24',
  '10.255.0.0/24',
  '192.168.255.0/24',
  '172.31.255.0/24',
  '100.127.255.0/24',
];

/** The "internet" host's segment candidates: the documentation ranges only (network safety). */
export const INTERNET_CANDIDATES = ['203.0.113.0/24', '198.51.100.0/24', '192.0.2.0/24'];

export function overlapsAny(cidr: string, others: readonly string[]): boolean {
  return others.some((o) => cidrsOverlap(cidr, o));
}

/** The first candidate that overlaps none of `avoid`. */
export function firstFree(
  candidates: readonly string[],
  avoid: readonly string[],
): string | undefined {
  return candidates.find((c) => !overlapsAny(c, avoid));
}

/** The /24 holding an IPv4 address. */
export function slash24Of(address: string): string {
  return `${intToIp((ipToInt(address) & maskOf(24)) >>> 0)}/24`;
}

/** Whether `address` is a usable host address (not network/broadcast) of a /24. */
export function usableIn24(address: string): boolean {
  const last = ipToInt(address) & 0xff;
  return last !== 0 && last !== 255;
}

/**
 * A segment for a host inside `pool` (a disabled pool): its first /24 that overlaps nothing in
 * `avoid`, or the pool itself when smaller than a /24. The host takes the segment's 10th
 * address (or its second usable one on a small segment); the router's side is the first.
 */
export function segmentInside(
  pool: string,
  avoid: readonly string[],
): { segment: string; host: string } | undefined {
  const p = parseCidr4(pool);
  if (p.prefix > 30) return undefined; // room for the router and the host, at least
  if (p.prefix > 24) {
    if (overlapsAny(pool, avoid)) return undefined;
    return { segment: pool, host: intToIp((p.base + 2) >>> 0) };
  }
  const count = Math.min(2 ** (24 - p.prefix), 256);
  for (let i = 0; i < count; i++) {
    const net = (p.base + i * 256) >>> 0;
    const seg = `${intToIp(net)}/24`;
    if (!overlapsAny(seg, avoid)) return { segment: seg, host: intToIp((net + 10) >>> 0) };
  }
  return undefined;
}
