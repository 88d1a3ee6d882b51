// A node's desired dataplane as data: Felix's ipsets and nat chains, the routes the CNI
// plugin programs for its pods, and the BIRD configuration confd would write.
import { natBehaviour } from '../calico/versions.js';
import { felixUsesNftables } from '../calico/felix-nftables-auto.js';
import { natIpSets, natTable } from '../dataplane/felix-nat.js';
import type { NodeDataplane } from '../dataplane/types.js';
import type { FelixConfiguration } from '../model/calico.js';
import type { Lab, LabNode } from '../model/lab.js';
import { nodeRack } from '../model/racks.js';
import type { IpamPlan, RouteSpec } from './types.js';
import { nodeBirdData } from './bgp.js';
import { policyFilter } from './node-filter.js';
import { withEncap } from './encap-dataplane.js';
import { kubeProxyNat, serviceEndpoints } from './kube-proxy.js';
import { kubeProxyNftTable } from './kube-proxy-nft.js';
import { kubeProxyFilter } from './kube-proxy-filter.js';
import { nodeServiceRoutes } from './service-routes.js';
import { nodeIpv6 } from './node-dataplane6.js';
import { podIpv4 } from '../ipam/families.js';
import { felixIpv6Off } from '../dataplane/felix-nat6.js';
import { felixIpv6Enabled } from '../calico/felix-ipv6.js';

/** eth0's addresses: the main one on the fabric, then extraAddresses (plain ones as /32). */
export function nodeEth0Addresses(lab: Lab, node: LabNode): string[] {
  const fabricPrefix = nodeRack(lab, node).cidr.split('/')[1] ?? '24';
  return [
    `${node.address}/${fabricPrefix}`,
    ...node.extraAddresses.map((a) => (a.includes('/') ? a : `${a}/32`)),
  ];
}

export function nodeRoutes(lab: Lab, node: LabNode, ipam: IpamPlan): RouteSpec[] {
  const gateway = nodeRack(lab, node).routerAddress; // the router, on the node's rack
  const routes: RouteSpec[] = [{ dst: 'default', via: gateway, dev: 'eth0' }];
  for (const a of ipam.assignments.filter((x) => x.node === node.name)) {
    const v4 = podIpv4(a); // IPv6-only pods: their /128 routes only (node-dataplane6.ts)
    if (v4) routes.push({ dst: `${v4}/32`, dev: a.hostIfname, scope: 'link' });
  }
  return routes;
}

/**
 * The FelixConfiguration a node's Felix runs with: "default" with the node's own
 * "node.<name>" resource merged over it field by field (e.g. a per-node natOutgoingAddress).
 */
export function nodeFelixConfiguration(lab: Lab, node: LabNode): FelixConfiguration {
  const own = lab.felixNodeConfigurations?.find((c) => c.name === `node.${node.name}`);
  if (!own) return lab.felixConfiguration;
  return { ...lab.felixConfiguration, spec: { ...lab.felixConfiguration.spec, ...own.spec } };
}

export function nodeDataplane(lab: Lab, node: LabNode, ipam: IpamPlan): NodeDataplane {
  const felix = nodeFelixConfiguration(lab, node);
  const behaviour = natBehaviour(lab.calicoVersion);
  const interfaces = [{ ifname: 'eth0', addresses: nodeEth0Addresses(lab, node) }];
  for (const a of ipam.assignments.filter((x) => x.node === node.name)) {
    interfaces.push({ ifname: a.hostIfname, addresses: [] });
  }
  const v6 = nodeIpv6(lab, node, ipam, felix, behaviour);
  if (v6) interfaces[0]!.addresses.push(v6.eth0Address);
  const filter = policyFilter(lab, node, ipam, felix);
  const dp: NodeDataplane = {
    ...(filter ? { filter: filter.filter } : {}),
    node: node.name,
    // Felix's nftablesMode as this version resolves it (unset: the version's default; Auto
    // before v3.32: refused, Disabled): Enabled programs nftables; Auto follows kube-proxy's
    // mode, and the lab runs no kube-proxy (iptables, as Felix decides without one).
    // With kube-proxy in nftables mode, Auto follows it (felix-nftables-auto.ts).
    natDataplane: felixUsesNftables(felix.spec.nftablesMode, lab.calicoVersion, lab.kubeProxy?.mode)
      ? 'nftables'
      : 'iptables',
    address: node.address,
    interfaces,
    ipsets: [
      ...natIpSets(
        lab.ipPools,
        felix,
        lab.nodes.map((n) => n.address),
        behaviour,
      ),
      ...(filter?.ipsets ?? []),
    ],
    nat:
      lab.kubeProxy?.mode === 'iptables'
        ? {
            ...natTable(lab.ipPools, felix, behaviour),
            kubeProxy: {
              ...kubeProxyNat(lab.kubeProxy, node, serviceEndpoints(lab, ipam)),
              // Its filter table too (REJECT without endpoints, KUBE-FORWARD): kube-proxy-filter.ts.
              filter: kubeProxyFilter(node, serviceEndpoints(lab, ipam)),
            },
          }
        : natTable(lab.ipPools, felix, behaviour),
    routes: nodeRoutes(lab, node, ipam),
    bird: lab.services?.length
      ? {
          ...nodeBirdData(lab, node, ipam.blocks, ipam.blocks6),
          ...nodeServiceRoutes(lab, node, serviceEndpoints(lab, ipam)),
        }
      : nodeBirdData(lab, node, ipam.blocks, ipam.blocks6),
  };
  // kube-proxy in nftables mode: its own table beside Calico's (plan/kube-proxy-nft.ts).
  if (lab.kubeProxy?.mode === 'nftables')
    dp.kubeProxyNft = kubeProxyNftTable(lab.kubeProxy, node, serviceEndpoints(lab, ipam));
  // Tunnels (IPIP, VXLAN, WireGuard): devices, routes, NAT rules, ipsets (encap-dataplane.ts).
  withEncap(dp, lab, node, ipam, felix);
  // IPv6 labs: the node's IPv6 routes and Felix's IPv6 tables (node-dataplane6.ts).
  if (v6) {
    dp.routes.push(...v6.routes);
    // ipv6Support: false: Felix programs nothing for IPv6 (felix-nat6.ts felixIpv6Off).
    dp.ipv6 = felixIpv6Enabled(felix) ? v6.dataplane : felixIpv6Off(v6.dataplane.address);
  }
  return dp;
}
