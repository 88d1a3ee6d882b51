// IPPool defaulting and validation as Calico v3.30 does it on `calicoctl create/apply`:
// first libcalico-go/lib/clientv3/ippool.go validateAndSetDefaults (defaults, CIDR, block size,
// overlap with existing pools, update rules); only when that passes,
// libcalico-go/lib/validator/v3/validator.go (field tags, metadata, validateIPPoolSpec).
// Messages and field names are Calico's, so output reads like calicoctl's.
import type { AssignmentMode, EncapMode, IPPool, IPPoolSpec, IPPoolUse } from '../model/calico.js';
import { cidrToString, networksOverlap, parseCidr, parseCidrOrIP, sameIP } from '../net/cidr.js';
import { tagReason, type CalicoFieldError } from './field-error.js';
import { selectorTagError, validateObjectMeta } from './metadata.js';
import { validateSelector } from './selector.js';

/** An IPPool as the user wrote it (after structural checks): every spec field optional. */
export interface IPPoolInput {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  spec: {
    cidr?: string;
    blockSize?: number;
    natOutgoing?: boolean;
    disabled?: boolean;
    disableBGPExport?: boolean;
    ipipMode?: string;
    vxlanMode?: string;
    nodeSelector?: string;
    allowedUses?: string[];
    assignmentMode?: string;
    /** Deprecated APIv1 fields: Calico rejects them when set. */
    ipip?: { enabled?: boolean; mode?: string };
    'nat-outgoing'?: boolean;
  };
}

export interface IPPoolValidationContext {
  /** The stored pool when this is an update (apply/replace/patch of an existing name). */
  old?: IPPool;
  /** Pools that already exist; a create must not overlap any of them. */
  existing?: readonly IPPool[];
}

const CIDR = 'IPPool.Spec.CIDR';
const ENCAP_MODE = /^(Always|CrossSubnet|Never)$/;
const ASSIGNMENT_MODE = /^(Automatic|Manual)$/;
const V4_LINK_LOCAL = parseCidr('169.254.0.0/16')!;
const V6_LINK_LOCAL = parseCidr('fe80::/10')!;

/** calico-node's auto-created pool when none exists (CALICO_IPV4POOL_* defaults). */
export function defaultIPv4Pool(): IPPool {
  return {
    kind: 'IPPool',
    name: 'default-ipv4-ippool',
    labels: {},
    spec: {
      cidr: '192.168.0.0/16',
      blockSize: 26,
      natOutgoing: true,
      disabled: false,
      disableBGPExport: false,
      ipipMode: 'Never',
      vxlanMode: 'Never',
      nodeSelector: 'all()',
      allowedUses: ['Workload', 'Tunnel'],
      assignmentMode: 'Automatic',
    },
  };
}

/**
 * Validates and defaults one pool. Returns the pool when valid, else Calico's field errors
 * (clientv3's errors alone when it rejects the pool, as calicoctl never reaches the validator).
 */
export function validateIPPool(
  input: IPPoolInput,
  ctx: IPPoolValidationContext = {},
): { pool?: IPPool; errors: CalicoFieldError[] } {
  const s = input.spec;
  const errors: CalicoFieldError[] = [];

  // --- clientv3 validateAndSetDefaults ---
  if (s.cidr === undefined || s.cidr === '') {
    return {
      errors: [{ name: CIDR, reason: 'IPPool CIDR must be specified', path: ['spec', 'cidr'] }],
    };
  }
  const parsed = parseCidr(s.cidr);
  if (!parsed) {
    return {
      errors: [
        {
          name: CIDR,
          value: s.cidr,
          reason: 'IPPool CIDR must be a valid subnet',
          path: ['spec', 'cidr'],
        },
      ],
    };
  }
  const cidr = cidrToString(parsed); // Calico normalizes before anything else
  const nodeSelector = s.nodeSelector ? s.nodeSelector : 'all()';
  const old = ctx.old;
  if (old && old.spec.cidr !== cidr) {
    errors.push({
      name: CIDR,
      value: cidr,
      reason: 'IPPool CIDR cannot be modified',
      path: ['spec', 'cidr'],
    });
  }
  const blockSize = s.blockSize ? s.blockSize : parsed.version === 4 ? 26 : 122;
  const allowedUses =
    s.allowedUses && s.allowedUses.length > 0 ? s.allowedUses : ['Workload', 'Tunnel'];
  if (old && old.spec.allowedUses.includes('LoadBalancer')) {
    if (allowedUses.some((u) => u !== 'LoadBalancer')) {
      return {
        errors: [
          {
            name: 'IPPool.Spec.AllowedUses',
            value: allowedUses,
            reason: 'IPPool allowed use cannot be changed from LoadBalacer to Workload or Tunnel',
            path: ['spec', 'allowedUses'],
          },
        ],
      };
    }
  }
  const assignmentMode = s.assignmentMode ? s.assignmentMode : 'Automatic';
  if (old && old.spec.blockSize !== blockSize) {
    errors.push({
      name: 'IPPool.Spec.BlockSize',
      value: blockSize,
      reason: 'IPPool BlockSize cannot be modified',
      path: ['spec', 'blockSize'],
    });
  }
  if (parsed.version === 4 && (blockSize > 32 || blockSize < 20)) {
    errors.push({
      name: 'IPPool.Spec.BlockSize',
      value: blockSize,
      reason: 'IPv4 block size must be between 20 and 32',
      path: ['spec', 'blockSize'],
    });
  }
  if (parsed.version === 6 && (blockSize > 128 || blockSize < 116)) {
    errors.push({
      name: 'IPPool.Spec.BlockSize',
      value: blockSize,
      reason: 'IPv6 block size must be between 116 and 128',
      path: ['spec', 'blockSize'],
    });
  }
  if (!s.disabled && parsed.prefix > blockSize) {
    errors.push({
      name: CIDR,
      value: cidr,
      reason:
        'IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size.',
      path: ['spec', 'cidr'],
    });
  }
  if (!old) {
    for (const other of ctx.existing ?? []) {
      if (other.name === input.name) continue;
      const o = parseCidr(other.spec.cidr);
      if (o && networksOverlap(o, parsed)) {
        errors.push({
          name: CIDR,
          value: cidr,
          reason: `IPPool(${input.name}) CIDR overlaps with IPPool(${other.name}) CIDR ${other.spec.cidr}`,
          path: ['spec', 'cidr'],
        });
      }
    }
  }
  const ipipMode = s.ipipMode ? s.ipipMode : 'Never';
  const vxlanMode = s.vxlanMode ? s.vxlanMode : 'Never';
  if (vxlanMode !== 'Never' && ipipMode !== 'Never') {
    errors.push({
      name: 'IPPool.Spec.VXLANMode',
      value: vxlanMode,
      reason: 'Cannot enable both VXLAN and IPIP on the same IPPool',
      path: ['spec', 'vxlanMode'],
    });
  }
  if (parsed.version === 6 && ipipMode !== 'Never') {
    errors.push({
      name: 'IPPool.Spec.IPIPMode',
      value: ipipMode,
      reason: 'IPIP is not supported on an IPv6 IP pool',
      path: ['spec', 'ipipMode'],
    });
  }
  if (!sameIP(parsed.ip, parsed.network)) {
    // Calico reports the already-normalized CIDR as the value here.
    errors.push({
      name: CIDR,
      value: cidr,
      reason: 'IPPool CIDR is not strictly masked',
      path: ['spec', 'cidr'],
    });
  }
  if (parsed.version === 4 && networksOverlap(parsed, V4_LINK_LOCAL)) {
    errors.push({
      name: CIDR,
      value: cidr,
      reason: 'IPPool CIDR overlaps with IPv4 Link Local range 169.254.0.0/16',
      path: ['spec', 'cidr'],
    });
  }
  if (parsed.version === 6 && networksOverlap(parsed, V6_LINK_LOCAL)) {
    errors.push({
      name: CIDR,
      value: cidr,
      reason: 'IPPool CIDR overlaps with IPv6 Link Local range fe80::/10',
      path: ['spec', 'cidr'],
    });
  }
  if (errors.length > 0) return { errors };

  // --- validator.Validate: metadata, field tags, then validateIPPoolSpec ---
  errors.push(...validateObjectMeta(input.name, input.labels, input.annotations));
  if (!ENCAP_MODE.test(vxlanMode)) {
    errors.push({
      name: 'VXLANMode',
      value: vxlanMode,
      reason: tagReason('VXLANMode', 'vxlanMode'),
      path: ['spec', 'vxlanMode'],
    });
  }
  if (!ENCAP_MODE.test(ipipMode)) {
    errors.push({
      name: 'IPIPMode',
      value: ipipMode,
      reason: tagReason('IPIPMode', 'ipIpMode'),
      path: ['spec', 'ipipMode'],
    });
  }
  const selErr = validateSelector(nodeSelector);
  if (selErr) {
    errors.push(selectorTagError('NodeSelector', nodeSelector, ['spec', 'nodeSelector']));
  }
  if (s.ipip !== undefined) {
    errors.push({
      name: 'IPIP',
      value: s.ipip,
      reason: tagReason('IPIP', 'mustBeNil'),
      path: ['spec', 'ipip'],
    });
  }
  if (s['nat-outgoing'] === true) {
    errors.push({
      name: 'NATOutgoingV1',
      value: true,
      reason: tagReason('NATOutgoingV1', 'mustBeFalse'),
      path: ['spec', 'nat-outgoing'],
    });
  }
  if (!ASSIGNMENT_MODE.test(assignmentMode)) {
    errors.push({
      name: 'AssignmentMode',
      value: assignmentMode,
      reason: tagReason('AssignmentMode', 'assignmentMode'),
      path: ['spec', 'assignmentMode'],
    });
  }
  const isLoadBalancer = allowedUses.includes('LoadBalancer');
  const encapOn = (m: string) => m === 'Always' || m === 'CrossSubnet';
  if (isLoadBalancer && (encapOn(ipipMode) || encapOn(vxlanMode))) {
    errors.push({
      name: 'IPpool.IPIPMode',
      value: ipipMode,
      reason: 'Neither IPIPMode nor VXLANMode can be enabled on AllowedUses LoadBalancer IP pool',
      path: ['spec', 'ipipMode'],
    });
  }
  allowedUses.forEach((use, i) => {
    if (use === 'LoadBalancer') return;
    if (use === 'Workload' || use === 'Tunnel') {
      if (isLoadBalancer) {
        errors.push({
          name: 'IPpool.AllowedUses',
          value: allowedUses,
          reason: `LoadBalancer cannot be used at the same time as: ${use}`,
          path: ['spec', 'allowedUses', i],
        });
      }
      return;
    }
    errors.push({
      name: 'IPpool.AllowedUses',
      value: allowedUses,
      reason: `unknown use: ${use}`,
      path: ['spec', 'allowedUses', i],
    });
  });
  if (isLoadBalancer && s.disableBGPExport) {
    errors.push({
      name: 'IPpool.DisableBGPExport',
      value: cidr,
      reason: 'IP Pool with AllowedUse LoadBalancer must have DisableBGPExport set to true',
      path: ['spec', 'disableBGPExport'],
    });
  }
  if (isLoadBalancer && nodeSelector !== 'all()') {
    errors.push({
      name: 'IPpool.NodeSelector',
      value: cidr,
      reason: 'IP Pool with AllowedUse LoadBalancer must have node selector set to all()',
      path: ['spec', 'nodeSelector'],
    });
  }
  if (errors.length > 0) return { errors };

  const spec: IPPoolSpec = {
    cidr,
    blockSize,
    natOutgoing: s.natOutgoing ?? false,
    disabled: s.disabled ?? false,
    disableBGPExport: s.disableBGPExport ?? false,
    ipipMode: ipipMode as EncapMode,
    vxlanMode: vxlanMode as EncapMode,
    nodeSelector,
    allowedUses: allowedUses as IPPoolUse[],
    assignmentMode: assignmentMode as AssignmentMode,
  };
  return {
    pool: { kind: 'IPPool', name: input.name, labels: { ...(input.labels ?? {}) }, spec },
    errors: [],
  };
}

/** The pool as calicoctl shows it (`get ippool -o yaml`), the shape a merge patch applies to. */
export function ipPoolToResource(pool: IPPool): {
  apiVersion: 'projectcalico.org/v3';
  kind: 'IPPool';
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
} {
  // Keys in sorted order, as calicoctl's YAML (sigs.k8s.io/yaml) prints them.
  const metadata: { name: string; labels?: Record<string, string> } =
    Object.keys(pool.labels).length > 0
      ? { labels: { ...pool.labels }, name: pool.name }
      : { name: pool.name };
  const s = pool.spec;
  // Go's omitempty drops false booleans.
  const spec: Record<string, unknown> = {
    allowedUses: [...s.allowedUses],
    assignmentMode: s.assignmentMode,
    blockSize: s.blockSize,
    cidr: s.cidr,
  };
  if (s.disableBGPExport) spec.disableBGPExport = true;
  if (s.disabled) spec.disabled = true;
  spec.ipipMode = s.ipipMode;
  if (s.natOutgoing) spec.natOutgoing = true;
  spec.nodeSelector = s.nodeSelector;
  spec.vxlanMode = s.vxlanMode;
  return { apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata, spec };
}

/** Family of a pool's CIDR (4 or 6); pools are validated, so the CIDR parses. */
export function poolVersion(pool: IPPool): 4 | 6 {
  return parseCidrOrIP(pool.spec.cidr)?.version ?? 4;
}
