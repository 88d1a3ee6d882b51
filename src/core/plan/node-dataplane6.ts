// A node's IPv6 side (dual-stack labs): eth0's IPv6 address on the fabric, the routes Calico's CNI
// programs for its pods' IPv6 addresses (cni-plugin/pkg/dataplane/linux/dataplane_linux.go
// SetupRoutes: `<pod>/128 dev cali… scope link`, one per address of the pod), the default route
// through the router's IPv6 address, and Felix's IPv6 sets and ip6tables nat table (felix-nat6.ts).
import { natIpSets6, natTable6 } from '../dataplane/felix-nat6.js';
import type { NodeDataplane, RouteSpec } from '../dataplane/types.js';
import type { FelixConfiguration } from '../model/calico.js';
import type { Lab, LabNode } from '../model/lab.js';
import type { NatBehaviour } from '../calico/versions.js';
import { policyFilter6 } from './node-filter.js';
import type { IpamPlan } from './types.js';

export function fabricPrefix6(lab: Lab): string {
  return lab.fabric.ipv6Cidr?.split('/')[1] ?? '64';
}

export interface NodeIpv6 {
  eth0Address: string; // CIDR notation
  routes: RouteSpec[];
  dataplane: NonNullable<NodeDataplane['ipv6']>;
}

export function nodeIpv6(
  lab: Lab,
  node: LabNode,
  ipam: IpamPlan,
  felix: FelixConfiguration,
  behaviour: NatBehaviour,
): NodeIpv6 | undefined {
  if (!node.ipv6Address || !lab.router.ipv6Address) return undefined;
  const routes: RouteSpec[] = [{ dst: '::/0', via: lab.router.ipv6Address, dev: 'eth0' }];
  for (const a of ipam.assignments.filter((x) => x.node === node.name && x.ipv6))
    routes.push({ dst: `${a.ipv6!.address}/128`, dev: a.hostIfname, scope: 'link' });
  const filter = policyFilter6(lab, node, ipam, felix);
  return {
    eth0Address: `${node.ipv6Address}/${fabricPrefix6(lab)}`,
    routes,
    dataplane: {
      address: node.ipv6Address,
      ipsets: [
        ...natIpSets6(
          lab.ipPools,
          felix,
          lab.nodes.flatMap((n) => (n.ipv6Address ? [n.ipv6Address] : [])),
          behaviour,
        ),
        ...(filter?.ipsets ?? []),
      ],
      nat: natTable6(lab.ipPools, felix, behaviour),
      ...(filter ? { filter: filter.filter } : {}),
    },
  };
}
