// Features that each work on their own but that the lab does not model together. Each was
// built for one shape of lab (IPv6 on one fabric segment, VXLAN for IPv4 pools, policy and the
// perimeter firewall in iptables' IPv4 tables); together they would render rules or routes
// that are not what Calico programs, so they are refused, or warned about where the lab is
// still right for the other family.
import { asWarning, type Problem } from '../errors.js';
import { poolVersion } from '../calico/ippool.js';
import type { IPPool } from '../model/calico.js';
import type { LabDocument } from './schemas.js';
import type { SourceIndex } from './source-index.js';

export interface CombinationInputs {
  labName: string;
  spec: LabDocument['spec'];
  ipPools: IPPool[];
  /** Whether the file has network policies (Calico or Kubernetes). */
  hasPolicies: boolean;
}

export function combinationProblems(
  index: SourceIndex,
  inp: CombinationInputs,
): { problems: Problem[]; warnings: Problem[] } {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const ipv6 = inp.spec.fabric?.ipv6Cidr !== undefined;
  const lab = (path: (string | number)[], message: string) =>
    index.problem('Lab', inp.labName, path, message, 'key');

  if (ipv6 && inp.spec.fabric?.racks !== undefined)
    problems.push(
      lab(
        ['spec', 'fabric', 'ipv6Cidr'],
        'IPv6 with fabric.racks is not modelled by the lab: its IPv6 fabric is one segment; use fabric.cidr for a dual-stack lab',
      ),
    );

  // Felix runs IPv6 VXLAN on its own device (vxlan-v6.calico, vxlanVNIV6/vxlanPortV6,
  // felix/dataplane/linux/vxlan_mgr.go); the lab's tunnels are IPv4's only.
  for (const pool of inp.ipPools) {
    const mode = pool.spec.vxlanMode;
    if (poolVersion(pool) === 6 && mode !== undefined && mode !== 'Never')
      problems.push(
        index.problem(
          'IPPool',
          pool.name,
          ['spec', 'vxlanMode'],
          `vxlanMode ${mode} on an IPv6 pool is not modelled by the lab (Felix would program vxlan-v6.calico); use Never: the lab routes IPv6 pods natively`,
        ),
      );
  }

  if (ipv6 && inp.spec.firewall !== undefined)
    warnings.push(
      asWarning(
        lab(
          ['spec', 'firewall'],
          'the firewall filters IPv4 only: IPv6 traffic through the router is not filtered',
        ),
      ),
    );
  return { problems, warnings };
}
