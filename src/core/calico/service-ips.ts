// BGPConfiguration serviceClusterIPs / serviceExternalIPs / serviceLoadBalancerIPs: the service
// address ranges the nodes advertise (calico api BGPConfigurationSpec; each block's `cidr` has
// the validator tag "net", so a bad one reads as calicoctl prints it).
import type { CalicoFieldError } from './field-error.js';
import { tagReason } from './field-error.js';
import { parseCidr4 } from '../net/cidr.js';

export const SERVICE_IP_FIELDS = [
  ['serviceClusterIPs', 'ServiceClusterIPs'],
  ['serviceExternalIPs', 'ServiceExternalIPs'],
  ['serviceLoadBalancerIPs', 'ServiceLoadBalancerIPs'],
] as const;

export type ServiceIPField = (typeof SERVICE_IP_FIELDS)[number][0];

export type ServiceIPBlocksInput = Partial<Record<ServiceIPField, unknown>>;

/** The CIDRs of each field that is set; errors at the bad ones. */
export function validateServiceIPBlocks(spec: ServiceIPBlocksInput): {
  blocks: Partial<Record<ServiceIPField, string[]>>;
  errors: CalicoFieldError[];
} {
  const blocks: Partial<Record<ServiceIPField, string[]>> = {};
  const errors: CalicoFieldError[] = [];
  for (const [field, goName] of SERVICE_IP_FIELDS) {
    const v = spec[field];
    if (v === undefined) continue;
    const list = Array.isArray(v) ? (v as { cidr?: unknown }[]) : [];
    const cidrs: string[] = [];
    list.forEach((b, i) => {
      const cidr = b && typeof b === 'object' ? b.cidr : undefined;
      let ok = typeof cidr === 'string';
      if (ok) {
        try {
          parseCidr4(cidr as string);
          ok = (cidr as string).includes('/');
        } catch {
          ok = false; // IPv6 blocks are refused too: the lab's BGP is IPv4 only
        }
      }
      if (!ok)
        errors.push({
          name: `${goName}[${i}].CIDR`,
          value: typeof cidr === 'string' ? cidr : '',
          reason: tagReason('CIDR', 'net'),
          path: ['spec', field, i, 'cidr'],
        });
      else cidrs.push(cidr as string);
    });
    blocks[field] = cidrs;
  }
  return { blocks, errors };
}
