// The `kind: Lab` document → the validated Lab with every default filled in: the network
// (lab-network.ts), pods (lab-pods.ts), hosts (lab-hosts.ts), expectations
// (lab-expectations.ts), then the Calico resources that came with it.
import { felixPlacement } from './felix-placement.js';
import { felixUsesNftables } from '../calico/felix-nftables-auto.js';
import { asWarning, type Problem } from '../errors.js';
import type { FelixConfiguration } from '../model/calico.js';
import type { Lab } from '../model/lab.js';
import { DEFAULT_AS_NUMBER, defaultBGPConfiguration } from '../calico/bgp.js';
import type { FieldPath } from '../calico/field-error.js';
import { defaultFelixConfiguration } from '../calico/felix.js';
import { defaultIPv4Pool } from '../calico/ippool.js';
import { dns1123LabelProblems } from '../calico/names.js';
import {
  calicoVersionProblem,
  DEFAULT_CALICO_VERSION,
  parseCalicoVersion,
} from '../calico/versions.js';
import type { Entry } from './entries.js';
import { createLabContext } from './lab-context.js';
import { buildExpectations } from './lab-expectations.js';
import { buildExercise } from './lab-exercise.js';
import { buildHosts } from './lab-hosts.js';
import { buildIpv6 } from './lab-ipv6.js';
import { defaultIPv6Pool } from '../calico/ippool-default6.js';
import { cidrToString } from '../net/cidr.js';
import { buildNetwork } from './lab-network.js';
import { buildPods } from './lab-pods.js';
import { buildPerimeter, perimeterNftables } from './lab-perimeter.js';
import { buildKubeProxy, buildServices } from './lab-services.js';
import { buildServiceExpectations, mergeExpectations } from './lab-service-expect.js';
import { nodesWithoutPeers } from './bgp-peer-warnings.js';
import { combinationProblems } from './feature-combinations.js';
import { ipv6OnlyProblems, specIsIpv6Only } from './lab-ipv6-only.js';
import { buildNamespaces, policyWarnings } from './policy-checks.js';
import type { ResourceSet } from './resources.js';
import { labDocument, type LabDocument } from './schemas.js';
import type { SourceIndex } from './source-index.js';
import { parseCollecting, zodIssuesToProblems } from './zod-problems.js';

export { DEFAULT_FABRIC_CIDR, DEFAULT_ROUTER_AS, DEFAULT_ROUTER_NAME } from './lab-network.js';
export { DEFAULT_TCP_PORTS, DEFAULT_UDP_PORTS } from './lab-hosts.js';
export { DEFAULT_CALICO_VERSION, parseCalicoVersion } from '../calico/versions.js';

export interface BuiltLab {
  lab?: Lab;
  /** True when the file had no IPPool and calico-node's default pool was used. */
  autoPool: boolean;
  problems: Problem[];
  /** What the lab does differently from Felix for this lab (e.g. a mode this version lacks). */
  warnings: Problem[];
}

export function buildLab(entry: Entry, resources: ResourceSet, index: SourceIndex): BuiltLab {
  const parsed = parseCollecting(labDocument, entry.value);
  const problems: Problem[] = zodIssuesToProblems(parsed.issues, {
    pd: entry.pd,
    basePath: entry.basePath,
    kind: 'Lab',
    name: entry.name,
    schema: labDocument,
    data: entry.value,
  });
  if (parsed.data === undefined) return { autoPool: false, problems, warnings: [] };
  const d: LabDocument = parsed.data;
  const labName = d.metadata.name;
  index.add('Lab', labName, entry.pd, entry.basePath);
  const P = (path: FieldPath, message: string, target: 'key' | 'value' = 'value') => {
    problems.push(index.problem('Lab', labName, path, message, target));
  };
  const spec = d.spec;

  for (const p of dns1123LabelProblems(labName))
    P(['metadata', 'name'], `lab name ${JSON.stringify(labName)} ${p}`);

  const calicoVersion = spec.calicoVersion ?? DEFAULT_CALICO_VERSION;
  const version = parseCalicoVersion(calicoVersion);
  const versionProblem = calicoVersionProblem(calicoVersion);
  if (versionProblem) P(['spec', 'calicoVersion'], versionProblem);

  const ctx = createLabContext(spec, P);
  const { fabricCidr, fabric, router, nodes, racks } = buildNetwork(ctx);
  const nodeNames = new Set(nodes.map((n) => n.name));
  const pods = buildPods(ctx, nodes);
  const hosts = buildHosts(ctx, fabric, fabricCidr);
  const { fabric6 } = buildIpv6(ctx, router, nodes, hosts);
  const expect = buildExpectations(ctx, pods, hosts, { serviceEntriesElsewhere: true });

  // --- Calico resources ---
  const autoPool = resources.ipPools.length === 0;
  // IPv6-only (spec.cni.assignIpv4: false): no default IPv4 pool (lab-ipv6-only.ts).
  const ipPools = autoPool ? (specIsIpv6Only(spec) ? [] : [defaultIPv4Pool()]) : resources.ipPools;
  // calico-node also creates its IPv6 default pool when IPv6 is on (ippool-default6.ts).
  if (autoPool && fabric6) ipPools.push(defaultIPv6Pool(labName));

  let bgpConfiguration = defaultBGPConfiguration();
  for (const c of resources.bgpConfigurations) {
    if (c.name === 'default') bgpConfiguration = c;
    else {
      problems.push(
        index.problem(
          'BGPConfiguration',
          c.name,
          ['metadata', 'name'],
          'only the BGPConfiguration named "default" is modelled by the lab (node-specific ones are not)',
        ),
      );
    }
  }
  if (bgpConfiguration.spec.asNumber === 0) bgpConfiguration.spec.asNumber = DEFAULT_AS_NUMBER;

  const warnings: Problem[] = [];
  let felixConfiguration = defaultFelixConfiguration();
  const felixNodeConfigurations: FelixConfiguration[] = [];
  for (const c of resources.felixConfigurations) {
    const placed = felixPlacement(c, nodeNames, version, calicoVersion, index);
    problems.push(...placed.problems);
    warnings.push(...placed.warnings);
    if (placed.placement === 'default') felixConfiguration = c;
    else if (placed.placement === 'node') felixNodeConfigurations.push(c);
  }

  const perimeter = buildPerimeter(ctx, {
    nodes,
    pods,
    hosts,
    ipPools,
    routerName: router?.name ?? '',
    nftables: perimeterNftables(
      felixConfiguration,
      calicoVersion,
      ctx.spec.kubeProxy?.mode === 'nftables' ? 'nftables' : undefined,
    ),
    warn: (path, message) =>
      warnings.push(asWarning(index.problem('Lab', labName, path, message, 'key'))),
  });
  pods.push(...perimeter.gatewayPods);
  const kubeProxy = buildKubeProxy(ctx);
  const services = buildServices(ctx, pods, ipPools, kubeProxy, (path, message) =>
    warnings.push(asWarning(index.problem('Lab', labName, path, message, 'key'))),
  );
  const serviceExpect = buildServiceExpectations(ctx, services, nodes, pods, hosts);
  if (nodes.length > 1)
    for (const n of nodesWithoutPeers(nodes, bgpConfiguration, resources.bgpPeers))
      warnings.push(
        asWarning(
          index.problem(
            'Lab',
            labName,
            ['spec', 'nodes', nodes.indexOf(n), 'name'],
            `node ${n.name} has no BGP peer: ${bgpConfiguration.spec.nodeToNodeMeshEnabled ? 'it is a route reflector (which ignores the node-to-node mesh)' : 'nodeToNodeMeshEnabled is false'} and no BGPPeer selects it; it neither learns nor advertises routes`,
          ),
        ),
      );
  const combined = combinationProblems(index, {
    labName,
    spec,
    ipPools,
    hasPolicies: (resources.policies?.length ?? 0) > 0,
  });
  problems.push(...combined.problems);
  warnings.push(...combined.warnings);
  problems.push(...ipv6OnlyProblems(index, { labName, spec }));
  if (
    kubeProxy?.mode === 'iptables' &&
    felixUsesNftables(felixConfiguration.spec.nftablesMode, calicoVersion, kubeProxy.mode)
  )
    P(
      ctx.spec.kubeProxy ? ['spec', 'kubeProxy'] : ['spec', 'services'],
      "kube-proxy's iptables mode beside Felix's nftables dataplane is not modelled: with nftablesMode Enabled Calico expects kube-proxy in nftables mode (spec.kubeProxy.mode: nftables)",
      'key',
    );
  if (
    kubeProxy?.mode === 'nftables' &&
    !felixUsesNftables(felixConfiguration.spec.nftablesMode, calicoVersion, kubeProxy.mode)
  )
    warnings.push(
      asWarning(
        index.problem(
          'Lab',
          labName,
          ['spec', 'kubeProxy', 'mode'],
          "kube-proxy's nftables mode beside Felix's iptables dataplane: Calico pairs it with nftablesMode Enabled (or Auto, from v3.32); the lab applies both as written (table ip kube-proxy beside Calico's iptables rules)",
          'key',
        ),
      ),
    );

  if (problems.length > 0) return { autoPool, problems, warnings };
  const lab: Lab = {
    name: labName,
    description: d.metadata.description ?? '',
    docs: d.metadata.docs ?? '',
    calicoVersion,
    fabric: {
      cidr: fabricCidr,
      ...(fabric6 ? { ipv6Cidr: cidrToString(fabric6) } : {}),
      ...(racks ? { racks } : {}),
    },
    router: router!,
    nodes,
    pods,
    hosts,
    expect: serviceExpect.size
      ? mergeExpectations(spec.expect?.length ?? 0, expect, serviceExpect)
      : expect,
    notes: d.metadata.notes ?? '',
    ipPools,
    bgpConfiguration,
    bgpPeers: resources.bgpPeers,
    felixConfiguration,
  };
  if (felixNodeConfigurations.length > 0) lab.felixNodeConfigurations = felixNodeConfigurations;
  if (perimeter.firewall) lab.firewall = perimeter.firewall;
  if (perimeter.egressGateways) lab.egressGateways = perimeter.egressGateways;
  if (perimeter.namespaceAnnotations) lab.namespaceAnnotations = perimeter.namespaceAnnotations;
  if (kubeProxy) lab.kubeProxy = kubeProxy;
  if (services.length) lab.services = services;
  if (spec.cni?.assignIpv4 !== undefined) lab.cni = { assignIpv4: spec.cni.assignIpv4 };
  const namespaces = buildNamespaces(spec.namespaces, P);
  const exercise = buildExercise(ctx, pods, hosts, ipPools);
  if (problems.length > 0) return { autoPool, problems, warnings };
  if (exercise) lab.exercise = exercise;
  if (namespaces.length > 0) lab.namespaces = namespaces;
  if (resources.policies?.length) lab.policies = resources.policies;
  if (resources.networkSets?.length) lab.networkSets = resources.networkSets;
  warnings.push(...policyWarnings(lab, index));
  return { lab, autoPool, problems, warnings };
}
