// The core's one module of address math, all through ipaddr.js. Every text is read the way
// Calico reads it: libcalico-go's net.ParseCIDR / ParseCIDROrIP (libcalico-go/lib/net/ipnet.go)
// call Go's net.ParseCIDR / net.ParseIP, which take dotted-quad decimal IPv4 only (no "10",
// no hex) and, since Go 1.17, reject a leading zero in an IPv4 part (Go 1.17 release notes,
// net: "ParseIP and ParseCIDR now reject IPv4 addresses which contain decimal components
// with leading zeros", CL 325829). So "010.1.0.0/16" is no CIDR at all here, never the octal
// 8.1.0.0/16 that ipaddr.js's own parser (like inet_aton) would make of it.
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

// ---- Parsed addresses and networks (IPv4 and IPv6) ----

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

export function networkContains(c: Pick<Cidr, 'network' | 'prefix'>, ip: IP): boolean {
  if (c.network.kind() !== ip.kind()) return false;
  return sameIP(maskAddress(ip, c.prefix), c.network);
}

/** True when two networks share any address (one contains the other's network). */
export function networksOverlap(
  a: Pick<Cidr, 'network' | 'prefix'>,
  b: Pick<Cidr, 'network' | 'prefix'>,
): boolean {
  if (a.network.kind() !== b.network.kind()) return false;
  return a.prefix <= b.prefix ? networkContains(a, b.network) : networkContains(b, a.network);
}

export function isV4(ip: IP): ip is ipaddr.IPv4 {
  return ip.kind() === 'ipv4';
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

// ---- IPv4 texts as 32-bit numbers (IPAM, routes, explain: values already validated) ----
// These throw on a text that is not IPv4 as Calico reads it: by then the lab was validated,
// so a throw is a bug upstream, never a silently different address.

export interface Cidr4 {
  base: number; // network address as an unsigned 32-bit integer
  prefix: number;
}

/** Whether the text is an IPv4 address as Calico reads one (dotted decimal, no leading zero). */
export function isIPv4(addr: string): boolean {
  const ip = parseIP(addr);
  return ip !== undefined && isV4(ip);
}

function parseV4(addr: string): ipaddr.IPv4 {
  const ip = parseIP(addr);
  if (!ip || !isV4(ip)) throw new Error(`not an IPv4 address: ${JSON.stringify(addr)}`);
  return ip;
}

export function ipToInt(addr: string): number {
  return v4ToNumber(parseV4(addr));
}

export function intToIp(n: number): string {
  return numberToV4(n).toString();
}

export function parseCidr4(cidr: string): Cidr4 {
  const c = parseCidr(cidr);
  if (!c || !isV4(c.network)) throw new Error(`not an IPv4 CIDR: ${JSON.stringify(cidr)}`);
  return { base: v4ToNumber(c.network), prefix: c.prefix };
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function cidrSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

export function formatCidr(c: Cidr4): string {
  return `${intToIp(c.base)}/${c.prefix}`;
}

export function cidrContains(cidr: string, addr: string): boolean {
  const c = parseCidr4(cidr);
  return (ipToInt(addr) & maskOf(c.prefix)) >>> 0 === c.base;
}

/** Whether `inner` (a CIDR) lies entirely inside `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
  const i = parseCidr4(inner);
  const o = parseCidr4(outer);
  return i.prefix >= o.prefix && (i.base & maskOf(o.prefix)) >>> 0 === o.base;
}

export function cidrsOverlap(a: string, b: string): boolean {
  return cidrWithin(a, b) || cidrWithin(b, a);
}

/** "10.0.0.10/24" -> {address: "10.0.0.10", prefix: 24}; a plain address gets /32. */
export function splitAddress(addr: string): { address: string; prefix: number } {
  const [a = '', p] = addr.split('/');
  return { address: a, prefix: p === undefined ? 32 : Number(p) };
}
