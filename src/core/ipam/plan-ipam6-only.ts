// IPAM for an IPv6-only lab (spec.cni.assignIpv4: false): the CNI plugin asks for an IPv6
// address only, so no IPv4 block is claimed and no tunnel address handed out (calico-node with
// IP=none has no IPv4 to give a tunnel). Each pod's IPv6 address comes from plan-ipam6.ts by the
// same rules as in a dual-stack lab; the assignment's address, pool and block are then the IPv6
// ones (a pod's one address, as Kubernetes' podIP is), and `ipv6` holds the same, so IPv6 code
// reads it as in a dual-stack lab. IPv4 code skips these pods (podIpv4 in families.ts).
import type { Lab } from '../model/lab.js';
import type { IpamPlan, PodAssignment } from './types.js';
import { calicoVethName } from './veth-name.js';
import { withIpv6 } from './plan-ipam6.js';

export function planIpamIpv6Only(lab: Lab, pinned?: IpamPlan): IpamPlan {
  const skeleton: PodAssignment[] = lab.pods.map((pod) => ({
    pod: pod.name,
    namespace: pod.namespace,
    node: pod.node,
    pool: '',
    block: '',
    address: '',
    hostIfname: calicoVethName(pod.namespace, pod.name),
  }));
  const plan = withIpv6(lab, { blocks: [], assignments: skeleton }, pinned);
  return {
    ...plan,
    assignments: plan.assignments.map((a) =>
      a.ipv6 ? { ...a, pool: a.ipv6.pool, block: a.ipv6.block, address: a.ipv6.address } : a,
    ),
  };
}
