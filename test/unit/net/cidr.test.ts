// The core's one CIDR module reads every text as Calico does (Go's net.ParseCIDR since Go 1.17):
// the cases where the two former modules disagreed, and agreement of its two levels.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateIPPool } from '../../../src/core/calico/ippool.js';
import {
  cidrContains,
  cidrToString,
  formatCidr,
  intToIp,
  ipToInt,
  isIPv4,
  parseCidr,
  parseCidr4,
  parseIP,
  v4ToNumber,
} from '../../../src/core/net/cidr.js';

// Texts ipaddr.js's own parser accepts (inet_aton style) that Go's net.ParseCIDR rejects.
const NOT_CALICO_CIDRS = [
  '010.1.0.0/16', // leading zero: octal 8.1.0.0/16 to inet_aton, an error to Go >= 1.17
  '10.01.0.0/16',
  '0xa.1.0.0/16', // hex
  '10.1/16', // two-part form: 10.0.0.1 to inet_aton
];

describe('one reading of a CIDR', () => {
  it.each(NOT_CALICO_CIDRS)('%s is no CIDR at either level', (text) => {
    expect(parseCidr(text)).toBeUndefined();
    expect(() => parseCidr4(text)).toThrow(/not an IPv4 CIDR/);
    const address = text.split('/')[0]!;
    expect(parseIP(address)).toBeUndefined();
    expect(isIPv4(address)).toBe(false);
    expect(() => ipToInt(address)).toThrow(/not an IPv4 address/);
    expect(() => cidrContains('0.0.0.0/0', address)).toThrow();
  });

  it('an IPPool with a leading-zero CIDR is refused, as calicoctl refuses it', () => {
    const r = validateIPPool({ name: 'p', spec: { cidr: '010.1.0.0/16' } });
    expect(r.pool).toBeUndefined();
    expect(r.errors.length).toBeGreaterThan(0);
    expect(validateIPPool({ name: 'p', spec: { cidr: '10.1.0.0/16' } }).pool?.spec.cidr).toBe(
      '10.1.0.0/16',
    );
  });

  it('a plain zero part is still an address', () => {
    expect(ipToInt('10.0.0.1')).toBe(0x0a000001);
    expect(formatCidr(parseCidr4('0.0.0.0/0'))).toBe('0.0.0.0/0');
  });

  it('both levels agree on every IPv4 text, extended forms included', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.ipV4(), fc.ipV4Extended()),
        fc.integer({ min: 0, max: 32 }),
        (text, prefix) => {
          const ip = parseIP(text);
          expect(isIPv4(text)).toBe(ip !== undefined);
          if (!ip || ip.kind() !== 'ipv4') return;
          // Accepted only in canonical dotted decimal: one text, one address.
          expect(ip.toString()).toBe(text);
          expect(ipToInt(text)).toBe(v4ToNumber(ip as Parameters<typeof v4ToNumber>[0]));
          expect(intToIp(ipToInt(text))).toBe(text);
          const cidr = `${text}/${prefix}`;
          expect(formatCidr(parseCidr4(cidr))).toBe(cidrToString(parseCidr(cidr)!));
          expect(cidrContains(cidr, text)).toBe(true);
        },
      ),
    );
  });
});
