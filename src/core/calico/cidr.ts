// Address math for the core, all through ipaddr.js. Parsing follows Go's net.ParseIP /
// net.ParseCIDR (what Calico uses): dotted-quad IPv4 only (no "10", no hex, no leading zeros),
// IPv6 without zone, prefix length within the family's bits.
import ipaddr from 'ipaddr.js';

export type IP = ipaddr.IPv4 | ipaddr.IPv6;

export interface Cidr {
  /** The address as written (may have host bits set). */
  ip: IP;
  prefix: number;
  /** The masked network address. */
  network: IP;
  version: 4 | 6;
}

function bitsOf(ip: IP): number {
  return ip.kind() === 'ipv4' ? 32 : 128;
}

/** Parses a plain address like Go's net.ParseIP; undefined when invalid. */
export function parseIP(text: string): IP | undefined {
  if (typeof text !== 'string') return undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text)) {
    return ipaddr.IPv6.parse(text);
  }
  return undefined;
}

/** Parses "addr/len" like Go's net.ParseCIDR; undefined when invalid. */
// Pool checks compare every pool with every other (overlaps): parsing each CIDR text once
// keeps a 1,000-pool file linear in parsing. Results are never mutated by callers.
const parsedCidrs = new Map<string, Cidr | undefined>();
const PARSED_CIDRS_MAX = 20_000;

export function parseCidr(text: string): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  if (parsedCidrs.has(text)) return parsedCidrs.get(text);
  const parsed = parseCidrUncached(text);
  if (parsedCidrs.size >= PARSED_CIDRS_MAX) parsedCidrs.clear();
  parsedCidrs.set(text, parsed);
  return parsed;
}

function parseCidrUncached(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0 || text.indexOf('/', slash + 1) >= 0) return undefined;
  const ip = parseIP(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!ip || !/^[0-9]{1,3}$/.test(lenText)) return undefined;
  const prefix = Number(lenText);
  if (prefix > bitsOf(ip)) return undefined;
  return { ip, prefix, network: maskAddress(ip, prefix), version: ip.kind() === 'ipv4' ? 4 : 6 };
}

/** Parses a CIDR or a plain address (full mask), like Calico's cnet.ParseCIDROrIP. */
export function parseCidrOrIP(text: string): Cidr | undefined {
  if (typeof text === 'string' && !text.includes('/')) {
    const ip = parseIP(text);
    if (!ip) return undefined;
    const prefix = bitsOf(ip);
    return { ip, prefix, network: ip, version: ip.kind() === 'ipv4' ? 4 : 6 };
  }
  return parseCidr(text);
}

export function maskAddress(ip: IP, prefix: number): IP {
  const bytes = ip.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] = bytes[i]! & ((0xff << (8 - bitsHere)) & 0xff);
  }
  return ipaddr.fromByteArray(bytes);
}

/** Canonical text of an address (Go's IP.String()). */
export function ipToString(ip: IP): string {
  return ip.toString();
}

/** Canonical masked CIDR text (Go's IPNet.String()). */
export function cidrToString(c: Pick<Cidr, 'network' | 'prefix'>): string {
  return `${c.network.toString()}/${c.prefix}`;
}

export function sameIP(a: IP, b: IP): boolean {
  return a.kind() === b.kind() && a.toString() === b.toString();
}

export function cidrContains(c: Pick<Cidr, 'network' | 'prefix'>, ip: IP): boolean {
  if (c.network.kind() !== ip.kind()) return false;
  return sameIP(maskAddress(ip, c.prefix), c.network);
}

/** True when two networks share any address (one contains the other's network). */
export function cidrsOverlap(
  a: Pick<Cidr, 'network' | 'prefix'>,
  b: Pick<Cidr, 'network' | 'prefix'>,
): boolean {
  if (a.network.kind() !== b.network.kind()) return false;
  return a.prefix <= b.prefix ? cidrContains(a, b.network) : cidrContains(b, a.network);
}

/** Address arithmetic on IPv4 as a 32-bit number (the lab's own addressing is IPv4). */
export function v4ToNumber(ip: ipaddr.IPv4): number {
  const [a, b, c, d] = ip.octets as [number, number, number, number];
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

export function numberToV4(n: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** First and last address of an IPv4 network, as numbers. */
export function v4Range(c: Pick<Cidr, 'network' | 'prefix'>): { first: number; last: number } {
  const first = v4ToNumber(c.network as ipaddr.IPv4);
  const size = 2 ** (32 - c.prefix);
  return { first, last: first + size - 1 };
}

/**
 * Usable host addresses of an IPv4 segment: all but network and broadcast, except /31 and /32
 * where every address is usable (RFC 3021).
 */
export function v4UsableRange(c: Pick<Cidr, 'network' | 'prefix'>): {
  first: number;
  last: number;
} {
  const { first, last } = v4Range(c);
  if (c.prefix >= 31) return { first, last };
  return { first: first + 1, last: last - 1 };
}

export function isIPv4(ip: IP): ip is ipaddr.IPv4 {
  return ip.kind() === 'ipv4';
}
