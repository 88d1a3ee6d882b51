// calico-node's auto-created IPv6 pool (node/pkg/lifecycle/startup/startup.go configureIPPools,
// GenerateIPv6ULAPrefix): when IPv6 is on and no CALICO_IPV6POOL_CIDR is given, calico-node makes
// `default-ipv6-ippool` from a random ULA /48 (fd + 40 random bits), blockSize 122, IPIP Never,
// natOutgoing from CALICO_IPV6POOL_NAT_OUTGOING, false by default (unlike IPv4's true: the
// difference users trip over in calico#7183 and #2954). The lab takes the 40 bits from a hash of
// the lab's name instead of a random source, so a lab gets the same pool on every run.
import { createHash } from 'node:crypto';
import type { IPPool } from '../model/calico.js';
import { bigToIp6 } from '../net/cidr6.js';

export const DEFAULT_IPV6_POOL_NAME = 'default-ipv6-ippool';

export function defaultIPv6PoolCidr(labName: string): string {
  const bytes = createHash('sha256').update(labName).digest().subarray(0, 5);
  let n = 0xfdn;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return `${bigToIp6(n << 80n)}/48`;
}

export function defaultIPv6Pool(labName: string): IPPool {
  return {
    kind: 'IPPool',
    name: DEFAULT_IPV6_POOL_NAME,
    labels: {},
    spec: {
      cidr: defaultIPv6PoolCidr(labName),
      blockSize: 122,
      natOutgoing: false,
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
