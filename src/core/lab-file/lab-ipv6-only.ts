// IPv6-only labs: `spec.cni.assignIpv4: false`, Calico's CNI config `"assign_ipv4": "false"`
// (cni-plugin/pkg/types/types.go IPAMConfig.AssignIpv4; the plugin then asks IPAM for an IPv6
// address only, cni-plugin/pkg/ipamplugin/ipam_plugin.go). Such a cluster's calico-node runs with
// IP=none (its Node has no bgp.ipv4Address, so confd renders no IPv4 mesh or peers) and no default
// IPv4 pool (node/pkg/lifecycle/startup/startup.go configureIPPools: CALICO_IPV4POOL_CIDR=none,
// as the operator's IPv6-only Installation does). The nodes keep their fabric IPv4 address for the
// lab's own wiring only. What the lab models for IPv6 is smaller than for IPv4: everything here
// that has no IPv6 side in the lab is refused in clear words rather than half-done.
import type { Problem } from '../errors.js';
import { peerIPAddress } from '../calico/bgp.js';
import { IPADDRS_ANNOTATION } from '../calico/ip-addrs.js';
import { poolVersion } from '../calico/ippool.js';
import type { Lab } from '../model/lab.js';
import { ipv6OnlyLab } from '../model/ip-families.js';
import type { LabDocument } from './schemas.js';
import type { SourceIndex } from './source-index.js';

export interface Ipv6OnlyInputs {
  labName: string;
  spec: LabDocument['spec'];
}

/** Whether the Lab document asks for IPv6-only pods. */
export function specIsIpv6Only(spec: LabDocument['spec']): boolean {
  return spec.cni?.assignIpv4 === false;
}

const WHY = 'an IPv6-only lab (spec.cni.assignIpv4: false)';

/** The Lab document's side: what it asks for that has no IPv6 side in the lab. */
export function ipv6OnlyProblems(index: SourceIndex, inp: Ipv6OnlyInputs): Problem[] {
  const { spec } = inp;
  if (!specIsIpv6Only(spec)) return [];
  const problems: Problem[] = [];
  const lab = (path: (string | number)[], message: string) =>
    problems.push(index.problem('Lab', inp.labName, path, message, 'key'));

  if (spec.fabric?.ipv6Cidr === undefined) {
    lab(
      ['spec', 'cni', 'assignIpv4'],
      'assignIpv4: false leaves pods with IPv6 only, which needs an IPv6 lab: set spec.fabric.ipv6Cidr (e.g. "2001:db8:30::/64") and an IPv6 IPPool',
    );
    return problems;
  }
  // Features the lab builds for IPv4 only.
  const refuse = (key: string, what: string) => {
    if ((spec as Record<string, unknown>)[key] !== undefined)
      lab(['spec', key], `${what} is not modelled in ${WHY}: the lab builds it for IPv4 only`);
  };
  refuse('services', 'Services (kube-proxy for IPv6)');
  refuse('kubeProxy', 'kube-proxy (its IPv6 rules)');
  refuse('firewall', 'the perimeter firewall (IPv6 filtering in the router)');
  refuse('enterprise', 'egress gateways (IPv6 gateway pods)');
  (spec.pods ?? []).forEach((pod, i) => {
    if (pod.annotations?.[IPADDRS_ANNOTATION] !== undefined)
      lab(
        ['spec', 'pods', i, 'annotations', IPADDRS_ANNOTATION],
        `${IPADDRS_ANNOTATION} is not modelled in ${WHY}: the lab picks IPv6 addresses from the pools only`,
      );
  });
  (spec.expect ?? []).forEach((x, i) => {
    if (x.ipVersion !== 6)
      lab(
        ['spec', 'expect', i],
        `pods of ${WHY} have no IPv4 address: add ipVersion: 6 to check the flow over IPv6`,
      );
  });
  return problems;
}

/**
 * The Calico resources' side, on the model, so `apply`, `create`, `replace` and `patch` on a
 * running IPv6-only lab are refused as loading is (checks.ts runs it for all of them).
 */
export function ipv6OnlyLabProblems(lab: Lab, index: SourceIndex): Problem[] {
  if (!ipv6OnlyLab(lab) || !lab.fabric.ipv6Cidr) return [];
  const problems: Problem[] = [];
  const inp = {
    ipPools: lab.ipPools,
    bgpPeers: lab.bgpPeers,
    felixConfigurations: [lab.felixConfiguration, ...(lab.felixNodeConfigurations ?? [])],
    hasPolicies: (lab.policies?.length ?? 0) > 0,
  };
  const labProblem = (path: (string | number)[], message: string) =>
    problems.push(index.problem('Lab', lab.name, path, message, 'key'));
  const v6Pools = inp.ipPools.filter(
    (p) => poolVersion(p) === 6 && !p.spec.disabled && p.spec.allowedUses.includes('Workload'),
  );
  if (v6Pools.length === 0)
    labProblem(
      ['spec', 'cni', 'assignIpv4'],
      'assignIpv4: false needs an enabled IPv6 IPPool for workloads: with neither family to assign, the CNI plugin fails every pod',
    );
  if (inp.hasPolicies)
    labProblem(
      ['spec', 'cni', 'assignIpv4'],
      `network policy is not modelled in ${WHY}: the lab polices IPv4 only (Felix would program ip6tables' filter table), so every flow would pass unpoliced`,
    );

  // Services applied to a running lab (apply -f of v1 Services) meet the same refusal as spec.services.
  if (lab.services?.length)
    labProblem(
      ['spec', 'cni', 'assignIpv4'],
      `Services (${lab.services.map((x) => x.name).join(', ')}) are not modelled in ${WHY}: the lab builds kube-proxy's rules for IPv4 only`,
    );

  // Tunnels take their address from IPv4 pools and ride the node's IPv4 address (IP=none: none).
  for (const pool of inp.ipPools) {
    if (poolVersion(pool) !== 4) continue;
    for (const field of ['ipipMode', 'vxlanMode'] as const) {
      const mode = pool.spec[field];
      if (mode !== undefined && mode !== 'Never')
        problems.push(
          index.problem(
            'IPPool',
            pool.name,
            ['spec', field],
            `${field} ${mode} is not modelled in ${WHY}: nodes have no Calico IPv4 address (calico-node IP=none) to carry the tunnel; use Never`,
          ),
        );
    }
  }
  for (const f of inp.felixConfigurations)
    if (f.spec.wireguardEnabled === true)
      problems.push(
        index.problem(
          'FelixConfiguration',
          f.name,
          ['spec', 'wireguardEnabled'],
          `wireguardEnabled is IPv4 WireGuard, which has no node address in ${WHY} (wireguardEnabledV6 is not modelled)`,
        ),
      );
  for (const peer of inp.bgpPeers) {
    const ip = peer.spec.peerIP ? peerIPAddress(peer.spec.peerIP) : undefined;
    if (ip !== undefined && !ip.includes(':'))
      problems.push(
        index.problem(
          'BGPPeer',
          peer.name,
          ['spec', 'peerIP'],
          `peerIP ${peer.spec.peerIP} is IPv4, but in ${WHY} the nodes have no IPv4 BGP address (calico-node IP=none): peer with the router's IPv6 address`,
        ),
      );
    if (peer.spec.peerSelector !== undefined)
      problems.push(
        index.problem(
          'BGPPeer',
          peer.name,
          ['spec', 'peerSelector'],
          `peerSelector peerings are not modelled in ${WHY} (the lab builds them between the nodes' IPv4 addresses)`,
        ),
      );
  }

  return problems;
}
