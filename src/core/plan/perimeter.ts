// The perimeter firewall and Calico Enterprise egress gateways in the plan: the router's filter
// chain, and for each egress client (a pod whose annotations, or its namespace's, select a
// gateway) an ip rule and table on its node and on the gateway's node, the client exempt from
// the node's natOutgoing SNAT, and the gateway pod SNATing what it forwards to its own address.
// As Calico Enterprise's docs describe it (Configure egress gateways, on-premises): clients
// select gateway pods by `egress.projectcalico.org/selector` (gateway pod labels) and
// `egress.projectcalico.org/namespaceSelector` (their namespace; left out: the client's own),
// the pod's annotations over its namespace's. A gateway on another node is reached, as
// Enterprise does it, over the VXLAN device `egress.calico` (egress-vxlan.ts).
import type { IpamPlan, PodAssignment } from '../ipam/types.js';
import type { Lab } from '../model/lab.js';
import type {
  FirewallAction,
  FirewallDirection,
  LabEgressGateway,
  LabFirewall,
} from '../model/perimeter.js';
import { egressSelection } from '../calico/egress-selection.js';
import {
  EGRESS_RULE_PRIORITY,
  EGRESS_TABLE_BASE,
  FIREWALL_CHAIN,
  FIREWALL_INBOUND_CHAIN,
  type EgressDataplane,
  type FirewallFilterRule,
  type FirewallTable,
} from '../dataplane/perimeter-types.js';
import { egressTableRoutes } from '../dataplane/render-perimeter.js';
import type { ContainerPlan } from './types.js';
import { HOST_MTU } from './encap.js';
import { egressVxlanOf } from './egress-vxlan.js';
import { EGRESS_VXLAN_DEVICE } from '../dataplane/egress-vxlan-types.js';

export const FIREWALL_IN_INTERFACE = 'br0'; // plan-lab's FABRIC_BRIDGE (no import: plan-lab imports this file)

function filterRules(
  fw: LabFirewall,
  direction: FirewallDirection,
  defaultAction: FirewallAction,
): FirewallFilterRule[] {
  // Rule numbers are the file's (rules of both directions share one list there).
  return [
    ...fw.rules.flatMap((r, i) =>
      r.direction !== direction
        ? []
        : [
            {
              ...(r.source ? { source: r.source } : {}),
              ...(r.destination ? { destination: r.destination } : {}),
              ...(r.protocol ? { protocol: r.protocol } : {}),
              ...(r.ports?.length ? { ports: r.ports } : {}),
              verdict: r.action === 'Allow' ? ('ACCEPT' as const) : ('DROP' as const),
              // iptables-save escapes quotes inside a comment: they are left out, so the
              // kernel's comment, the counters' and explain's are one text.
              comment: `rule ${i + 1}${r.description ? `: ${r.description.replace(/["'\\]/g, '')}` : ''}`,
            },
          ],
    ),
    {
      verdict: defaultAction === 'Allow' ? 'ACCEPT' : 'DROP',
      comment: `${direction === 'Inbound' ? 'inboundDefaultAction' : 'defaultAction'} ${defaultAction}`,
    },
  ];
}

export function firewallTable(fw: LabFirewall): FirewallTable {
  const inbound =
    fw.inboundDefaultAction === 'Deny' || fw.rules.some((r) => r.direction === 'Inbound');
  return {
    chain: FIREWALL_CHAIN,
    inInterface: FIREWALL_IN_INTERFACE,
    rules: filterRules(fw, 'Outbound', fw.defaultAction),
    ...(inbound
      ? {
          inbound: {
            chain: FIREWALL_INBOUND_CHAIN,
            rules: filterRules(fw, 'Inbound', fw.inboundDefaultAction),
          },
        }
      : {}),
  };
}

/** A pod that sends its outbound traffic through an egress gateway, and why. */
export interface EgressClient {
  pod: PodAssignment;
  gateway: LabEgressGateway;
  gatewayAddress: string;
  gatewayNode: string;
  table: number;
  /** Where the selecting annotations are: on the pod, or on its namespace. */
  selectedBy: { on: 'pod' | 'namespace'; selector: string; namespaceSelector?: string };
  /** Other gateways the selector matches too (Enterprise spreads flows over all; the lab uses the first). */
  alsoMatching: string[];
}

function gatewayTable(lab: Lab, gw: LabEgressGateway): number {
  return EGRESS_TABLE_BASE + (lab.egressGateways ?? []).indexOf(gw);
}

/** Every egress client of the lab, in pod order. */
export function egressClients(lab: Lab, ipam: IpamPlan): EgressClient[] {
  const gateways = lab.egressGateways ?? [];
  if (!gateways.length) return [];
  const gwNames = new Set(gateways.map((g) => g.name));
  const out: EgressClient[] = [];
  for (const a of ipam.assignments) {
    if (gwNames.has(a.pod)) continue;
    const pod = lab.pods.find((p) => p.name === a.pod);
    if (!pod) continue;
    const sel = egressSelection(pod, lab.namespaceAnnotations ?? [], gateways);
    if (!sel) continue;
    const matching = sel.gateways;
    const gw = matching[0];
    const gwAssign = gw && ipam.assignments.find((x) => x.pod === gw.name);
    if (!gw || !gwAssign) continue;
    out.push({
      pod: a,
      gateway: gw,
      gatewayAddress: gwAssign.address,
      gatewayNode: gwAssign.node,
      table: gatewayTable(lab, gw),
      selectedBy: {
        on: sel.on,
        selector: sel.selector,
        ...(sel.namespaceSelector !== undefined
          ? { namespaceSelector: sel.namespaceSelector }
          : {}),
      },
      alsoMatching: matching.slice(1).map((g) => g.name),
    });
  }
  return out;
}

/** Destinations that stay inside the cluster: every IPv4 pool and the fabric. */
export function clusterCidrs(lab: Lab): string[] {
  return [
    ...lab.ipPools.filter((p) => !p.spec.cidr.includes(':')).map((p) => p.spec.cidr),
    lab.fabric.cidr,
  ];
}

/** Adds the firewall to the router and the egress gateway dataplane to nodes and gateway pods. */
export function addPerimeter(lab: Lab, ipam: IpamPlan, containers: ContainerPlan[]): void {
  if (lab.firewall) {
    const router = containers.find((c) => c.role === 'router');
    if (router) router.firewall = firewallTable(lab.firewall);
  }
  const clients = egressClients(lab, ipam);
  const inCluster = clusterCidrs(lab);
  for (const c of containers.filter((x) => x.role === 'node')) {
    const mine = clients.filter((k) => k.pod.node === c.name || k.gatewayNode === c.name);
    if (!mine.length) continue;
    const tables = new Map<number, EgressDataplane['tables'][number]>();
    for (const k of mine) {
      if (tables.has(k.table)) continue;
      const local = k.gatewayNode === c.name;
      const gwIf = ipam.assignments.find((a) => a.pod === k.gateway.name)!.hostIfname;
      tables.set(k.table, {
        id: k.table,
        throws: inCluster,
        via: k.gatewayAddress,
        dev: local ? gwIf : EGRESS_VXLAN_DEVICE,
      });
    }
    const node = lab.nodes.find((n) => n.name === c.name);
    const egressVxlan = node && egressVxlanOf(node, lab.nodes, clients);
    if (egressVxlan && c.dataplane) {
      // With the node's other tunnels: apply.sh makes the device before the routes through it.
      c.dataplane.encap ??= { vxlanPeers: [], routes: [], podMtu: HOST_MTU };
      c.dataplane.encap.egress = egressVxlan;
    }
    c.egress = {
      rules: mine.map((k) => ({
        from: k.pod.address,
        table: k.table,
        priority: EGRESS_RULE_PRIORITY,
      })),
      tables: [...tables.values()].sort((a, b) => a.id - b.id),
      natExempt: { clients: mine.map((k) => k.pod.address), clusterCidrs: inCluster },
    };
    // Routes through egress.calico go in with the device (egress-vxlan.ts), not with these.
    c.routes = [
      ...c.routes,
      ...egressTableRoutes(c.egress).filter((r) => r.dev !== EGRESS_VXLAN_DEVICE),
    ];
  }
  for (const gw of lab.egressGateways ?? []) {
    const pod = containers.find((x) => x.role === 'pod' && x.name === gw.name);
    const a = ipam.assignments.find((x) => x.pod === gw.name);
    if (!pod || !a) continue;
    // It forwards its clients' packets (in and out of eth0) and SNATs them to its own address.
    pod.sysctls = { ...pod.sysctls, 'net.ipv4.ip_forward': '1' };
    pod.egress = {
      rules: [],
      tables: [],
      natExempt: { clients: [], clusterCidrs: [] },
      snatTo: a.address,
    };
  }
}
