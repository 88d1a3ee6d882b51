// planLab: the whole lab as the runtime builds it (see the contract in ./types.ts).
// Topology: the router's bridge br0 is the fabric's ToR switch, each node's eth0 a port of it;
// each host sits alone on a segment behind the router, the router at the host's gateway;
// each pod's eth0 is paired with a `cali…` veth on its node, Calico-style (/32, 169.254.1.1
// gateway answered by proxy ARP, MAC ee:ee:ee:ee:ee:ee on the node side).
import { planIpam } from '../ipam/plan-ipam.js';
import { podIpv4 } from '../ipam/families.js';
import type { Lab } from '../model/lab.js';
import { labRacks, nodeRack, rackBridge } from '../model/racks.js';
import { routerBirdData } from './bgp.js';
import { portNames } from './ifnames.js';
import { nodeDataplane } from './node-dataplane.js';
import { addPerimeter } from './perimeter.js';
import { addIpv6 } from './plan-ipv6.js';
import { addTors } from './tor.js';
import type { ContainerPlan, IpamPlan, LabPlan, LinkSpec, RouteSpec } from './types.js';

export const CALICO_VETH_MAC = 'ee:ee:ee:ee:ee:ee';
export const POD_GATEWAY = '169.254.1.1';
export const FABRIC_BRIDGE = 'br0';

export interface PlanOptions {
  /** A previous plan's IPAM: existing pods keep their addresses (see planIpam). */
  pinnedIpam?: IpamPlan;
}

const FORWARDING = { 'net.ipv4.ip_forward': '1' };
// Strict reverse-path filtering would drop pod-sourced packets (no NAT) on a router that has no
// route back to the pod CIDR: the lab wants those to reach the host so the capture shows them.
const NO_RP_FILTER = { 'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.default.rp_filter': '0' };

export function planLab(lab: Lab, opts: PlanOptions = {}): LabPlan {
  const ipam = planIpam(lab, opts.pinnedIpam);
  const fabricPrefix = lab.fabric.cidr.split('/')[1] ?? '24';
  const links: LinkSpec[] = [];
  const racks = lab.fabric.racks ? labRacks(lab) : undefined;
  const taken = new Set<string>([
    FABRIC_BRIDGE,
    'lo',
    ...(racks ?? []).map((_, i) => rackBridge(i)),
  ]);
  const fabricPorts = portNames(
    'f-',
    'fab',
    lab.nodes.map((n) => n.name),
    taken,
  );
  const segmentPorts = portNames(
    'h-',
    'seg',
    lab.hosts.map((h) => h.name),
    taken,
  );

  const routerData = routerBirdData(lab);
  const router: ContainerPlan = {
    name: lab.router.name,
    role: 'router',
    sysctls: { ...FORWARDING, ...NO_RP_FILTER },
    bridges: racks ? racks.map((_, i) => ({ name: rackBridge(i) })) : [{ name: FABRIC_BRIDGE }],
    interfaces: [
      // One bridge per rack (fabric.racks, model/racks.ts), else the one fabric's br0.
      ...(racks
        ? racks.map((r, i) => ({
            ifname: rackBridge(i),
            addresses: [`${r.routerAddress}/${r.cidr.split('/')[1]}`],
          }))
        : [{ ifname: FABRIC_BRIDGE, addresses: [`${lab.router.address}/${fabricPrefix}`] }]),
      ...fabricPorts.map((ifname, i) => ({
        ifname,
        addresses: [],
        master: racks ? rackBridge(racks.indexOf(nodeRack(lab, lab.nodes[i]!))) : FABRIC_BRIDGE,
      })),
      ...lab.hosts.map((h, i) => ({
        ifname: segmentPorts[i]!,
        addresses: [`${h.gateway}/${h.prefixLength}`],
      })),
    ],
    routes: [],
    services: [],
    routerBgp: routerData,
  };

  const nodes: ContainerPlan[] = lab.nodes.map((node, i) => {
    links.push({
      a: { container: node.name, ifname: 'eth0' },
      b: { container: lab.router.name, ifname: fabricPorts[i]! },
    });
    const dp = nodeDataplane(lab, node, ipam);
    const podIfs = ipam.assignments
      .filter((a) => a.node === node.name)
      .map((a) =>
        // An IPv6-only pod (no IPv4 address): the CNI sets no IPv4 sysctls (configureSysctls
        // only for an IPv4 result); its IPv6 ones come from plan-ipv6.ts.
        podIpv4(a) === undefined
          ? { ifname: a.hostIfname, addresses: [] }
          : {
              ifname: a.hostIfname,
              addresses: [],
              proxyArp: true,
              sysctls: {
                [`net.ipv4.conf.${a.hostIfname}.proxy_arp`]: '1',
                // The CNI plugin answers ARP for 169.254.1.1 at once instead of after a random delay.
                [`net.ipv4.neigh.${a.hostIfname}.proxy_delay`]: '0',
              },
              ...(dp.encap ? { mtu: dp.encap.podMtu } : {}),
            },
      );
    return {
      name: node.name,
      role: 'node',
      sysctls: { ...FORWARDING, ...NO_RP_FILTER },
      bridges: [],
      interfaces: [{ ifname: 'eth0', addresses: dp.interfaces[0]!.addresses }, ...podIfs],
      routes: dp.routes,
      services: [],
      dataplane: dp,
    };
  });

  // The CNI plugin's MTU for pods (Felix's pod MTU when a tunnel is on), per node.
  const podMtu = new Map(nodes.map((n) => [n.name, n.dataplane?.encap?.podMtu]));
  const podByName = new Map(lab.pods.map((p) => [p.name, p]));
  const pods: ContainerPlan[] = ipam.assignments.map((a) => {
    const podSpec = podByName.get(a.pod);
    links.push({
      a: { container: a.pod, ifname: 'eth0' },
      b: { container: a.node, ifname: a.hostIfname, mac: CALICO_VETH_MAC },
    });
    const v4 = podIpv4(a); // undefined: an IPv6-only pod, its IPv6 side from plan-ipv6.ts
    const routes: RouteSpec[] = v4
      ? [
          { dst: POD_GATEWAY, dev: 'eth0', scope: 'link' },
          { dst: 'default', via: POD_GATEWAY, dev: 'eth0' },
        ]
      : [];
    return {
      name: a.pod,
      role: 'pod',
      sysctls: {},
      bridges: [],
      interfaces: [
        {
          ifname: 'eth0',
          addresses: v4 ? [`${v4}/32`] : [],
          ...(podMtu.get(a.node) ? { mtu: podMtu.get(a.node)! } : {}),
        },
      ],
      routes,
      // Echo servers of pods that serve ports (Services' endpoints): they answer with the source they saw.
      services: [
        ...(podSpec?.tcpPorts ?? []).map((port) => ({ kind: 'tcp-echo' as const, port })),
        ...(podSpec?.udpPorts ?? []).map((port) => ({ kind: 'udp-echo' as const, port })),
      ],
      node: a.node,
    };
  });

  const hosts: ContainerPlan[] = lab.hosts.map((h, i) => {
    links.push({
      a: { container: h.name, ifname: 'eth0' },
      b: { container: lab.router.name, ifname: segmentPorts[i]! },
    });
    const routes: RouteSpec[] = [{ dst: 'default', via: h.gateway, dev: 'eth0' }];
    return {
      name: h.name,
      role: 'host',
      sysctls: {},
      bridges: [],
      interfaces: [{ ifname: 'eth0', addresses: [`${h.address}/${h.prefixLength}`] }],
      routes,
      services: [
        ...h.tcpPorts.map((port) => ({ kind: 'tcp-echo' as const, port })),
        ...h.udpPorts.map((port) => ({ kind: 'udp-echo' as const, port })),
      ],
    };
  });

  // IPv6 labs: the IPv6 side over it (plan-ipv6.ts); an IPv4 lab's plan is returned as is.
  const containers = [router, ...nodes, ...pods, ...hosts];
  addTors(lab, containers, links); // racks with their own top-of-rack router (tor.ts)
  addPerimeter(lab, ipam, containers);
  return addIpv6({ lab, ipam, containers, links });
}
