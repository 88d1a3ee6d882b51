// IPPool conformance with Calico v3.30.
// Cases: the "(API) IPPool", "(API) IPIPMode", "(API) VXLANMode" and APIv1-compatibility entries of
// libcalico-go/lib/validator/v3/validator_test.go (projectcalico/calico), restated as data
// (AWS subnet ID and HostSecondary cases are left out: not in v3.30's open-source IPPool).
// The expected reasons are Calico's own strings from libcalico-go/lib/clientv3/ippool.go
// (validateAndSetDefaults) and libcalico-go/lib/validator/v3/validator.go (validateIPPoolSpec).
import { describe, expect, it } from 'vitest';
import { validateIPPool, type IPPoolInput } from '../../../src/core/calico/ippool.js';
import { renderFieldError } from '../../../src/core/calico/field-error.js';
import type { IPPool } from '../../../src/core/model/calico.js';

// Values of validator_test.go's init().
const netv4_3 = '1.2.3.0/26';
const netv4_4 = '1.0.0.0/10';
const netv4_5 = '1.2.3.0/27';
const netv6_1 = 'aabb:aabb::ffff/128';
const netv6_3 = 'aabb:aabb::0000/122';
const netv6_4 = 'aa00:0000::0000/10';

type Spec = IPPoolInput['spec'];
interface Case {
  title: string;
  spec: Spec;
  ok: boolean;
  /** A reason Calico gives for the rejection (substring of the rendered error). */
  reason?: string;
}

const TOO_SMALL =
  'IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size.';

const cases: Case[] = [
  // (API) IPPool
  { title: 'accept IPv4 CIDR /26', spec: { cidr: netv4_3 }, ok: true },
  { title: 'accept IPv4 CIDR /10', spec: { cidr: netv4_4 }, ok: true },
  {
    title: 'accept IPv6 CIDR /122',
    spec: { cidr: netv6_3, ipipMode: 'Never', vxlanMode: 'Never' },
    ok: true,
  },
  {
    title: 'accept IPv6 CIDR /10',
    spec: { cidr: netv6_4, ipipMode: 'Never', vxlanMode: 'Never' },
    ok: true,
  },
  { title: 'accept a disabled IPv4 /27', spec: { cidr: netv4_5, disabled: true }, ok: true },
  {
    title: 'accept a disabled IPv6 /128',
    spec: { cidr: netv6_1, ipipMode: 'Never', vxlanMode: 'Never', disabled: true },
    ok: true,
  },
  { title: 'reject IPv4 /27', spec: { cidr: netv4_5 }, ok: false, reason: TOO_SMALL },
  { title: 'reject IPv6 /128', spec: { cidr: netv6_1 }, ok: false, reason: TOO_SMALL },
  {
    title: 'reject IPv4 /33',
    spec: { cidr: '1.2.3.4/33' },
    ok: false,
    reason: 'IPPool CIDR must be a valid subnet',
  },
  {
    title: 'reject IPv6 /129',
    spec: { cidr: 'aa:bb::/129' },
    ok: false,
    reason: 'IPPool CIDR must be a valid subnet',
  },
  {
    title: "reject IPIPMode 'Always' for IPv6",
    spec: { cidr: netv6_1, ipipMode: 'Always', vxlanMode: 'Never' },
    ok: false,
    reason: 'IPIP is not supported on an IPv6 IP pool',
  },
  {
    title: "reject VXLANMode 'Always' for an IPv6 /128",
    spec: { cidr: netv6_1, vxlanMode: 'Always', ipipMode: 'Never' },
    ok: false,
    reason: TOO_SMALL,
  },
  {
    title: 'reject IPv4 overlapping link local',
    spec: { cidr: '169.254.5.0/24' },
    ok: false,
    reason: 'IPPool CIDR overlaps with IPv4 Link Local range 169.254.0.0/16',
  },
  {
    title: 'reject IPv6 overlapping link local',
    spec: { cidr: 'fe80::/120' },
    ok: false,
    reason: 'IPPool CIDR overlaps with IPv6 Link Local range fe80::/10',
  },
  {
    title: 'accept valid allowed uses',
    spec: { cidr: netv4_4, allowedUses: ['Workload', 'Tunnel'] },
    ok: true,
  },
  {
    title: 'reject allowed uses LoadBalancer+Tunnel',
    spec: { cidr: netv4_4, allowedUses: ['LoadBalancer', 'Tunnel'] },
    ok: false,
    reason: 'LoadBalancer cannot be used at the same time as: Tunnel',
  },
  {
    title: 'reject unknown allowed use',
    spec: { cidr: netv4_4, allowedUses: ['Garbage'] },
    ok: false,
    reason: 'unknown use: Garbage',
  },
  {
    title: 'accept assignmentMode Automatic',
    spec: { cidr: netv4_4, assignmentMode: 'Automatic' },
    ok: true,
  },
  {
    title: 'reject invalid assignmentMode',
    spec: { cidr: netv4_4, assignmentMode: 'Invalid' },
    ok: false,
    reason: 'because of Tag: assignmentMode',
  },
  {
    title: 'reject LoadBalancer with disableBGPExport true',
    spec: { cidr: netv4_4, allowedUses: ['LoadBalancer'], disableBGPExport: true },
    ok: false,
    reason: 'IP Pool with AllowedUse LoadBalancer must have DisableBGPExport set to true',
  },
  {
    title: 'reject LoadBalancer with VXLAN',
    spec: { cidr: netv4_4, allowedUses: ['LoadBalancer'], vxlanMode: 'Always' },
    ok: false,
    reason: 'Neither IPIPMode nor VXLANMode can be enabled on AllowedUses LoadBalancer IP pool',
  },
  {
    title: 'reject LoadBalancer with IPIP',
    spec: { cidr: netv4_4, allowedUses: ['LoadBalancer'], ipipMode: 'Always' },
    ok: false,
    reason: 'Neither IPIPMode nor VXLANMode can be enabled on AllowedUses LoadBalancer IP pool',
  },
  {
    title: 'reject LoadBalancer with a nodeSelector other than all()',
    spec: { cidr: netv4_4, allowedUses: ['LoadBalancer'], nodeSelector: '!all()' },
    ok: false,
    reason: 'IP Pool with AllowedUse LoadBalancer must have node selector set to all()',
  },
  // (API) IPIPMode
  { title: 'accept no IPIP mode', spec: { cidr: '1.2.3.0/24' }, ok: true },
  {
    title: 'accept IPIP Never (api)',
    spec: { cidr: '1.2.3.0/24', ipipMode: 'Never', vxlanMode: 'Never' },
    ok: true,
  },
  { title: 'accept IPIP Always', spec: { cidr: '1.2.3.0/24', ipipMode: 'Always' }, ok: true },
  {
    title: 'accept IPIP CrossSubnet',
    spec: { cidr: '1.2.3.0/24', ipipMode: 'CrossSubnet' },
    ok: true,
  },
  {
    title: 'reject IPIP badVal',
    spec: { cidr: '1.2.3.0/24', ipipMode: 'badVal' },
    ok: false,
    reason: 'failed to validate Field: IPIPMode because of Tag: ipIpMode',
  },
  {
    title: 'reject IPIP never (lower case)',
    spec: { cidr: '1.2.3.0/24', ipipMode: 'never' },
    ok: false,
    reason: 'because of Tag: ipIpMode',
  },
  // (API) VXLANMode
  {
    title: 'reject IPIP and VXLAN both',
    spec: { cidr: '1.2.3.0/24', ipipMode: 'Always', vxlanMode: 'Always' },
    ok: false,
    reason: 'Cannot enable both VXLAN and IPIP on the same IPPool',
  },
  { title: 'accept VXLAN Always', spec: { cidr: '1.2.3.0/24', vxlanMode: 'Always' }, ok: true },
  {
    title: 'accept VXLAN CrossSubnet',
    spec: { cidr: '1.2.3.0/24', vxlanMode: 'CrossSubnet' },
    ok: true,
  },
  { title: 'accept VXLAN Never', spec: { cidr: '1.2.3.0/24', vxlanMode: 'Never' }, ok: true },
  {
    title: 'reject VXLAN never',
    spec: { cidr: '1.2.3.0/24', vxlanMode: 'never' },
    ok: false,
    reason: 'because of Tag: vxlanMode',
  },
  {
    title: 'reject VXLAN badVal',
    spec: { cidr: '1.2.3.0/24', vxlanMode: 'badVal' },
    ok: false,
    reason: 'because of Tag: vxlanMode',
  },
  // APIv1 backwards compatibility
  { title: 'accept a nil IPIP field', spec: { cidr: '1.2.3.0/24', ipipMode: 'Never' }, ok: true },
  {
    title: 'reject a non-nil IPIP field',
    spec: { cidr: '1.2.3.0/24', ipipMode: 'Never', ipip: { enabled: true, mode: 'always' } },
    ok: false,
    reason: 'because of Tag: mustBeNil',
  },
  {
    title: 'accept nat-outgoing false',
    spec: { cidr: '1.2.3.0/24', ipipMode: 'Never', 'nat-outgoing': false },
    ok: true,
  },
  {
    title: 'reject nat-outgoing true',
    spec: { cidr: '1.2.3.0/24', ipipMode: 'Never', 'nat-outgoing': true },
    ok: false,
    reason: 'because of Tag: mustBeFalse',
  },
  // clientv3 validateAndSetDefaults
  { title: 'reject a missing CIDR', spec: {}, ok: false, reason: 'IPPool CIDR must be specified' },
  {
    title: 'reject a CIDR that is not strictly masked',
    spec: { cidr: '10.0.0.1/24' },
    ok: false,
    reason: 'IPPool CIDR is not strictly masked',
  },
  {
    title: 'reject IPv4 block size 19',
    spec: { cidr: '10.0.0.0/16', blockSize: 19 },
    ok: false,
    reason: 'IPv4 block size must be between 20 and 32',
  },
  {
    title: 'reject IPv4 block size 33',
    spec: { cidr: '10.0.0.0/16', blockSize: 33 },
    ok: false,
    reason: 'IPv4 block size must be between 20 and 32',
  },
  {
    title: 'accept IPv4 block size 32',
    spec: { cidr: '10.0.0.0/16', blockSize: 32 },
    ok: true,
  },
  {
    title: 'reject IPv6 block size 115',
    spec: { cidr: 'fd00::/48', blockSize: 115 },
    ok: false,
    reason: 'IPv6 block size must be between 116 and 128',
  },
  { title: 'accept a pool exactly one block big', spec: { cidr: '10.0.0.0/26' }, ok: true },
  {
    title: 'reject an invalid nodeSelector',
    spec: { cidr: '10.0.0.0/16', nodeSelector: "zone = 'a'" },
    ok: false,
    reason: 'because of Tag: selector',
  },
  {
    title: 'reject garbage as CIDR',
    spec: { cidr: 'not-a-cidr' },
    ok: false,
    reason: 'IPPool CIDR must be a valid subnet',
  },
  {
    title: 'reject a plain address as CIDR',
    spec: { cidr: '10.0.0.1' },
    ok: false,
    reason: 'IPPool CIDR must be a valid subnet',
  },
  {
    title: 'reject an IPv4 address with leading zeros',
    spec: { cidr: '010.0.0.0/16' },
    ok: false,
    reason: 'IPPool CIDR must be a valid subnet',
  },
];

describe('IPPool validation: Calico validator_test.go cases', () => {
  for (const c of cases) {
    it(c.title, () => {
      const r = validateIPPool({ name: 'pool.name', spec: c.spec });
      const rendered = r.errors.map(renderFieldError);
      if (c.ok) {
        expect(rendered).toEqual([]);
        expect(r.pool).toBeDefined();
      } else {
        expect(r.pool).toBeUndefined();
        expect(rendered.join('\n')).toContain(c.reason!);
      }
    });
  }
});

describe('IPPool defaults (api/pkg/apis/projectcalico/v3/ippool.go, clientv3 validateAndSetDefaults)', () => {
  it('fills every default of a v4 pool', () => {
    const r = validateIPPool({ name: 'p', spec: { cidr: '10.244.0.0/16' } });
    expect(r.pool?.spec).toEqual({
      cidr: '10.244.0.0/16',
      blockSize: 26,
      natOutgoing: false,
      disabled: false,
      disableBGPExport: false,
      ipipMode: 'Never',
      vxlanMode: 'Never',
      nodeSelector: 'all()',
      allowedUses: ['Workload', 'Tunnel'],
      assignmentMode: 'Automatic',
    });
  });
  it('defaults an IPv6 block size to 122 and writes the CIDR canonically', () => {
    const r = validateIPPool({ name: 'p', spec: { cidr: 'FD00:0:0:0::/48' } });
    expect(r.pool?.spec.blockSize).toBe(122);
    expect(r.pool?.spec.cidr).toBe('fd00::/48');
  });
  it('treats blockSize 0 and empty modes as unset, like Go zero values', () => {
    const r = validateIPPool({
      name: 'p',
      spec: { cidr: '10.0.0.0/16', blockSize: 0, ipipMode: '', vxlanMode: '' },
    });
    expect(r.pool?.spec).toMatchObject({ blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never' });
  });
});

describe('IPPool messages as calicoctl prints them', () => {
  it('renders a field error with its value', () => {
    const r = validateIPPool({ name: 'p', spec: { cidr: '10.0.0.0/16', blockSize: 19 } });
    expect(r.errors.map(renderFieldError)).toEqual([
      "error with field IPPool.Spec.BlockSize = '19' (IPv4 block size must be between 20 and 32)",
    ]);
  });
  it('renders a missing CIDR without a value', () => {
    const r = validateIPPool({ name: 'p', spec: {} });
    expect(r.errors.map(renderFieldError)).toEqual([
      'error with field IPPool.Spec.CIDR (IPPool CIDR must be specified)',
    ]);
  });
  it('reports the normalized CIDR for a CIDR with host bits, as clientv3 does', () => {
    const r = validateIPPool({ name: 'p', spec: { cidr: '10.0.0.1/24' } });
    expect(r.errors.map(renderFieldError)).toEqual([
      "error with field IPPool.Spec.CIDR = '10.0.0.0/24' (IPPool CIDR is not strictly masked)",
    ]);
  });
  it('stops at clientv3 errors: the validator (mode tags) is not reached', () => {
    const r = validateIPPool({ name: 'p', spec: { cidr: '10.0.0.1/24', ipipMode: 'sometimes' } });
    expect(r.errors.map((e) => e.name)).toEqual(['IPPool.Spec.CIDR']);
  });
  it('renders a field tag failure like go-playground/validator', () => {
    const r = validateIPPool({ name: 'p', spec: { cidr: '10.0.0.0/16', ipipMode: 'always' } });
    expect(r.errors.map(renderFieldError)).toEqual([
      "error with field IPIPMode = 'always' (Reason: failed to validate Field: IPIPMode because of Tag: ipIpMode )",
    ]);
  });
  it('rejects names that are not DNS-1123 subdomains', () => {
    const r = validateIPPool({ name: 'My_Pool', spec: { cidr: '10.0.0.0/16' } });
    expect(r.errors.map(renderFieldError)[0]).toBe(
      "error with field Metadata.Name = 'My_Pool' (name must consist of lower case alphanumeric characters, '-' or '.' (regex: [a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*))",
    );
  });
});

describe('IPPool overlap and update rules (clientv3/ippool.go)', () => {
  const existing = validateIPPool({ name: 'a', spec: { cidr: '10.0.0.0/8' } }).pool as IPPool;
  for (const [title, cidr] of [
    ['equal', '10.0.0.0/8'],
    ['smaller', '10.1.0.0/16'],
    ['larger', '8.0.0.0/6'],
  ] as const) {
    it(`rejects a new pool that is ${title}`, () => {
      const r = validateIPPool({ name: 'b', spec: { cidr } }, { existing: [existing] });
      expect(r.errors.map(renderFieldError)).toEqual([
        `error with field IPPool.Spec.CIDR = '${cidr}' (IPPool(b) CIDR overlaps with IPPool(a) CIDR 10.0.0.0/8)`,
      ]);
    });
  }
  it('accepts an adjacent pool', () => {
    expect(
      validateIPPool({ name: 'b', spec: { cidr: '11.0.0.0/8' } }, { existing: [existing] }).errors,
    ).toEqual([]);
  });
  it('does not check overlap with itself on create of the same name', () => {
    expect(
      validateIPPool({ name: 'a', spec: { cidr: '10.0.0.0/8' } }, { existing: [existing] }).errors,
    ).toEqual([]);
  });
  it('refuses to change the CIDR of an existing pool', () => {
    const r = validateIPPool({ name: 'a', spec: { cidr: '10.0.0.0/9' } }, { old: existing });
    expect(r.errors.map(renderFieldError)).toContain(
      "error with field IPPool.Spec.CIDR = '10.0.0.0/9' (IPPool CIDR cannot be modified)",
    );
  });
  it('refuses to change the block size of an existing pool', () => {
    const r = validateIPPool(
      { name: 'a', spec: { cidr: '10.0.0.0/8', blockSize: 24 } },
      { old: existing },
    );
    expect(r.errors.map(renderFieldError)).toEqual([
      "error with field IPPool.Spec.BlockSize = '24' (IPPool BlockSize cannot be modified)",
    ]);
  });
  it('allows other changes on update', () => {
    const r = validateIPPool(
      { name: 'a', spec: { cidr: '10.0.0.0/8', natOutgoing: true, disabled: true } },
      { old: existing },
    );
    expect(r.pool?.spec).toMatchObject({ natOutgoing: true, disabled: true });
  });
});
