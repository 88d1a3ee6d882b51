// IPv4 address arithmetic for IPAM and explain. Parsing goes through ipaddr.js; the
// arithmetic itself is on 32-bit unsigned integers.
import ipaddr from 'ipaddr.js';

export interface Cidr4 {
  base: number; // network address as an unsigned 32-bit integer
  prefix: number;
}

export function isIPv4(addr: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(addr);
}

export function ipToInt(addr: string): number {
  const bytes = ipaddr.IPv4.parse(addr).toByteArray();
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr4(cidr: string): Cidr4 {
  const [addr, len] = ipaddr.IPv4.parseCIDR(cidr);
  const prefix = len;
  const base = (ipToInt(addr.toString()) & maskOf(prefix)) >>> 0;
  return { base, prefix };
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
