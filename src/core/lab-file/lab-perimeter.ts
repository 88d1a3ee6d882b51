// The lab document's `firewall` and `enterprise` sections → the Lab's firewall, egress gateways
// (each also a pod, with an address from its own pool) and namespace annotations. Selectors in
// the egress annotations are checked with Calico's selector parser, positioned.
import { IPV4POOLS_ANNOTATION } from '../calico/pool-choice.js';
import { egressSelection } from '../calico/egress-selection.js';
import { validateSelector } from '../calico/selector.js';
import type { FieldPath } from '../calico/field-error.js';
import { labelValueProblems, qualifiedNameProblems } from '../calico/names.js';
import { felixUsesNftables } from '../calico/felix-nftables-auto.js';
import type { FelixConfiguration, IPPool } from '../model/calico.js';
import type { LabHost, LabNode, LabPod } from '../model/lab.js';
import {
  EGRESS_NAMESPACE_SELECTOR_ANNOTATION,
  EGRESS_SELECTOR_ANNOTATION,
  type FirewallRule,
  type LabEgressGateway,
  type LabFirewall,
  type LabNamespaceAnnotations,
} from '../model/perimeter.js';
import { cidrToString, parseCidrOrIP } from '../net/cidr.js';
import type { LabContext } from './lab-context.js';

export interface BuiltPerimeter {
  firewall?: LabFirewall;
  egressGateways?: LabEgressGateway[];
  namespaceAnnotations?: LabNamespaceAnnotations[];
  /** The gateways as pods (IPAM gives them an address from their pool, like the others). */
  gatewayPods: LabPod[];
}

export interface PerimeterInputs {
  nodes: readonly LabNode[];
  pods: readonly LabPod[];
  hosts: readonly LabHost[];
  ipPools: readonly IPPool[];
  routerName: string;
  /** Whether the nodes run Felix's nftables dataplane (egress gateways need iptables here). */
  nftables: boolean;
  warn(path: FieldPath, message: string): void;
}

const ENTERPRISE_WARNING =
  'Calico Enterprise behaviour (not in Calico Open Source), modelled on its public docs: gateway pods SNAT to their own address and client nodes route to them by ip rule and table; a gateway on another node is reached over the VXLAN device egress.calico with the Enterprise default VNI 4097 and port 4790 (the lab does not take FelixConfiguration egressIPVXLANVNI or egressIPVXLANPort, and gives egress.calico no address). The lab takes FelixConfiguration egressIPSupport as EnabledPerNamespaceOrPerPod.';

function ipv4Cidr(text: string): string | undefined {
  const c = parseCidrOrIP(text);
  return c && c.version === 4 ? cidrToString(c) : undefined;
}

function buildFirewall(ctx: LabContext, inp: PerimeterInputs): LabFirewall | undefined {
  const fw = ctx.spec.firewall;
  if (!fw) return undefined;
  const P = ctx.problem;
  const hosts = new Map(inp.hosts.map((h) => [h.name, h]));
  const rules: FirewallRule[] = [];
  (fw.rules ?? []).forEach((r, i) => {
    const path: FieldPath = ['spec', 'firewall', 'rules', i];
    const direction = r.direction ?? 'Outbound';
    const rule: FirewallRule = { action: r.action, direction };
    // Outbound: hosts are destinations. Inbound: hosts are sources, the cluster the destination.
    const hostSide = direction === 'Inbound' ? 'source' : 'destination';
    const clusterSide = direction === 'Inbound' ? 'destination' : 'source';
    const hostText = r[hostSide];
    if (hostText !== undefined) {
      const host = hosts.get(hostText);
      const c = host ? `${host.address}/32` : ipv4Cidr(hostText);
      if (c) rule[hostSide] = c;
      else
        P(
          [...path, hostSide],
          `${hostSide} ${JSON.stringify(hostText)} is neither a host of this lab (${[...hosts.keys()].join(', ') || 'none'}) nor an IPv4 CIDR`,
        );
    }
    const clusterText = r[clusterSide];
    if (clusterText !== undefined) {
      const c = ipv4Cidr(clusterText);
      if (c) rule[clusterSide] = c;
      else
        P(
          [...path, clusterSide],
          `${clusterSide} ${JSON.stringify(clusterText)} is not an IPv4 CIDR${hosts.has(clusterText) ? ` (host names are the ${hostSide} of ${direction} rules)` : ''}`,
        );
    }
    if (r.protocol) rule.protocol = r.protocol;
    if (r.ports?.length) {
      if (r.protocol !== 'tcp' && r.protocol !== 'udp')
        P([...path, 'ports'], 'ports apply to protocol tcp or udp only');
      else rule.ports = [...r.ports];
    }
    if (r.description) rule.description = r.description;
    rules.push(rule);
  });
  return {
    on: inp.routerName,
    defaultAction: fw.defaultAction ?? 'Allow',
    inboundDefaultAction: fw.inboundDefaultAction ?? 'Allow',
    rules,
  };
}

function checkEgressAnnotations(
  ctx: LabContext,
  annotations: Record<string, string>,
  path: FieldPath,
): void {
  for (const key of [EGRESS_SELECTOR_ANNOTATION, EGRESS_NAMESPACE_SELECTOR_ANNOTATION]) {
    const v = annotations[key];
    if (v === undefined) continue;
    const err = validateSelector(v);
    if (err) ctx.problem([...path, key], `${key}: ${err.message}`);
  }
}

function buildGateways(
  ctx: LabContext,
  inp: PerimeterInputs,
): Pick<BuiltPerimeter, 'egressGateways' | 'namespaceAnnotations' | 'gatewayPods'> {
  const ent = ctx.spec.enterprise;
  const P = ctx.problem;
  const gatewayPods: LabPod[] = [];
  inp.pods.forEach((p, i) =>
    checkEgressAnnotations(ctx, p.annotations, ['spec', 'pods', i, 'annotations']),
  );
  if (!ent) {
    inp.pods.forEach((p, i) => {
      if (p.annotations[EGRESS_SELECTOR_ANNOTATION] !== undefined)
        inp.warn(
          ['spec', 'pods', i, 'annotations', EGRESS_SELECTOR_ANNOTATION],
          'a Calico Enterprise annotation: Calico Open Source ignores it, and so does the lab without spec.enterprise.egressGateways',
        );
    });
    return { gatewayPods };
  }
  inp.warn(['spec', 'enterprise'], ENTERPRISE_WARNING);
  const nodeNames = new Set(inp.nodes.map((n) => n.name));
  const poolNames = new Set(inp.ipPools.map((p) => p.name));
  const egressGateways: LabEgressGateway[] = [];
  (ent.egressGateways ?? []).forEach((g, i) => {
    const path: FieldPath = ['spec', 'enterprise', 'egressGateways', i];
    ctx.claimName(g.name, 'egress gateway', [...path, 'name']);
    if (inp.nftables)
      P(
        path,
        'egress gateways are modelled with the iptables dataplane only (the nodes run nftablesMode Enabled)',
      );
    if (!nodeNames.has(g.node))
      P(
        [...path, 'node'],
        `egress gateway ${g.name} is on node ${JSON.stringify(g.node)}, which is not a node of this lab (nodes: ${[...nodeNames].join(', ')})`,
      );
    if (!poolNames.has(g.ipPool))
      P(
        [...path, 'ipPool'],
        `IPPool ${JSON.stringify(g.ipPool)} is not in this lab (pools: ${[...poolNames].join(', ')})`,
      );
    const labels = { ...(g.labels ?? {}) };
    for (const [k, v] of Object.entries(labels)) {
      for (const m of qualifiedNameProblems(k))
        P([...path, 'labels', k], `label key ${JSON.stringify(k)}: ${m}`, 'key');
      for (const m of labelValueProblems(v))
        P([...path, 'labels', k], `label value ${JSON.stringify(v)}: ${m}`);
    }
    const gw: LabEgressGateway = {
      name: g.name,
      namespace: g.namespace ?? 'default',
      node: g.node,
      ipPool: g.ipPool,
      labels,
    };
    egressGateways.push(gw);
    gatewayPods.push({
      name: gw.name,
      node: gw.node,
      namespace: gw.namespace,
      labels,
      // The EgressGateway's spec.ipPools: its pods get their address from that pool.
      annotations: { [IPV4POOLS_ANNOTATION]: JSON.stringify([gw.ipPool]) },
    });
  });
  const namespaceAnnotations: LabNamespaceAnnotations[] = (ent.namespaces ?? []).map((n, i) => {
    checkEgressAnnotations(ctx, n.annotations, [
      'spec',
      'enterprise',
      'namespaces',
      i,
      'annotations',
    ]);
    return { name: n.name, annotations: { ...n.annotations } };
  });
  warnUnmatched(inp, egressGateways, namespaceAnnotations);
  return { egressGateways, namespaceAnnotations, gatewayPods };
}

/** A pod whose egress annotations select no gateway: warned at the annotation that decided. */
function warnUnmatched(
  inp: PerimeterInputs,
  gateways: LabEgressGateway[],
  namespaces: LabNamespaceAnnotations[],
): void {
  inp.pods.forEach((pod, i) => {
    let sel;
    try {
      sel = egressSelection(pod, namespaces, gateways);
    } catch {
      return; // an invalid selector is already an error at its annotation
    }
    if (!sel || sel.gateways.length) return;
    const path: FieldPath =
      sel.on === 'pod'
        ? ['spec', 'pods', i, 'annotations', EGRESS_SELECTOR_ANNOTATION]
        : [
            'spec',
            'enterprise',
            'namespaces',
            namespaces.findIndex((n) => n.name === pod.namespace),
            'annotations',
            EGRESS_SELECTOR_ANNOTATION,
          ];
    inp.warn(
      path,
      `pod ${pod.name} selects no egress gateway of this lab (${sel.selector}${sel.namespaceSelector === undefined ? `, in namespace ${pod.namespace}` : `, namespaces ${sel.namespaceSelector}`}): the lab sends its traffic as without one (its node's natOutgoing); what Calico Enterprise does when a client has no gateway is not modelled`,
    );
  });
}

const RACKS_REFUSAL =
  'not modelled with fabric.racks: the firewall hooks one fabric bridge and the egress tables throw one fabric CIDR back; use fabric.cidr';

export function buildPerimeter(ctx: LabContext, inp: PerimeterInputs): BuiltPerimeter {
  if (ctx.spec.fabric?.racks !== undefined) {
    if (ctx.spec.firewall) ctx.problem(['spec', 'firewall'], `firewall ${RACKS_REFUSAL}`, 'key');
    if (ctx.spec.enterprise)
      ctx.problem(['spec', 'enterprise'], `egress gateways ${RACKS_REFUSAL}`, 'key');
  }
  const firewall = buildFirewall(ctx, inp);
  const gw = buildGateways(ctx, inp);
  return {
    ...(firewall ? { firewall } : {}),
    ...(gw.egressGateways?.length ? { egressGateways: gw.egressGateways } : {}),
    ...(gw.namespaceAnnotations?.length ? { namespaceAnnotations: gw.namespaceAnnotations } : {}),
    gatewayPods: gw.gatewayPods,
  };
}

/** Whether the default FelixConfiguration makes the nodes run nftables (version-resolved). */
export function perimeterNftables(
  felix: FelixConfiguration,
  calicoVersion: string,
  kubeProxyMode?: 'iptables' | 'nftables',
): boolean {
  try {
    // Auto follows kube-proxy's mode (felix-nftables-auto.ts).
    return felixUsesNftables(felix.spec.nftablesMode, calicoVersion, kubeProxyMode);
  } catch {
    return false; // an unknown version is reported at spec.calicoVersion
  }
}
