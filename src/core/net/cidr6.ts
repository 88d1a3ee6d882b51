// IPv6 address math on validated texts, as 128-bit BigInts (IPAM, the lab's IPv6 addressing,
// routes). Like cidr.ts's IPv4 helpers these throw on a text that is not IPv6: by then the lab
// was validated, so a throw is a bug upstream. Texts come out in Go's canonical form (RFC 5952,
// what ipaddr.js's toString gives), as Calico prints them.
import ipaddr from 'ipaddr.js';
import { parseCidr, parseIP } from './cidr.js';

export interface Cidr6 {
  base: bigint; // network address
  prefix: number;
}

/** 4 or 6 for an address or CIDR text, undefined when it is neither. */
export function familyOf(text: string): 4 | 6 | undefined {
  const slash = text.indexOf('/');
  if (slash >= 0) return parseCidr(text)?.version;
  const ip = parseIP(text);
  return ip ? (ip.kind() === 'ipv4' ? 4 : 6) : undefined;
}

export function isV6Text(text: string): boolean {
  return text.includes(':');
}

export function ip6ToBig(addr: string): bigint {
  const ip = parseIP(addr);
  if (!ip || ip.kind() !== 'ipv6') throw new Error(`not an IPv6 address: ${JSON.stringify(addr)}`);
  return ip.toByteArray().reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

export function bigToIp6(n: bigint): string {
  const bytes: number[] = [];
  for (let i = 15; i >= 0; i--) bytes.push(Number((n >> BigInt(i * 8)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

export function parseCidr6(cidr: string): Cidr6 {
  const c = parseCidr(cidr);
  if (!c || c.version !== 6) throw new Error(`not an IPv6 CIDR: ${JSON.stringify(cidr)}`);
  return { base: ip6ToBig(c.network.toString()), prefix: c.prefix };
}

export function cidr6Size(prefix: number): bigint {
  return 1n << BigInt(128 - prefix);
}

export function formatCidr6(c: Cidr6): string {
  return `${bigToIp6(c.base)}/${c.prefix}`;
}

export function cidr6Contains(cidr: string, addr: string): boolean {
  const c = parseCidr6(cidr);
  return ip6ToBig(addr) >> BigInt(128 - c.prefix) === c.base >> BigInt(128 - c.prefix);
}

/** Whether `inner` (an IPv6 CIDR) lies entirely inside `outer`. */
export function cidr6Within(inner: string, outer: string): boolean {
  const i = parseCidr6(inner);
  const o = parseCidr6(outer);
  const shift = BigInt(128 - o.prefix);
  return i.prefix >= o.prefix && i.base >> shift === o.base >> shift;
}

/** Canonical text of an IPv6 address (e.g. "2001:DB8:0::1" -> "2001:db8::1"). */
export function canonicalIp6(addr: string): string {
  return bigToIp6(ip6ToBig(addr));
}

/** Whether `cidr` holds `addr`, in either family; false when the families differ. */
export function cidrHolds(cidr: string, addr: string): boolean {
  const v6 = isV6Text(cidr);
  if (v6 !== isV6Text(addr)) return false;
  if (v6) return cidr6Contains(cidr, addr);
  const c = parseCidr(cidr);
  const a = parseIP(addr);
  if (!c || !a) return false;
  return c.network.kind() === a.kind() && c.network.toString() === maskTo(a, c.prefix);
}

function maskTo(ip: NonNullable<ReturnType<typeof parseIP>>, prefix: number): string {
  const bytes = ip.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] = bytes[i]! & ((0xff << (8 - bits)) & 0xff);
  }
  return ipaddr.fromByteArray(bytes).toString();
}
