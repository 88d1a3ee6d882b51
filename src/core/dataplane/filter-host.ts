// Felix's filter chains for traffic between a node and its own workloads, as data
// (felix/rules/static.go at v3.30: StaticFilterInputChains, filterInputChain,
// filterWorkloadToHostChain, FilterInputChainAllowWG, StaticFilterOutputChains,
// filterOutputChain; the INPUT/OUTPUT hooks from felix/dataplane/linux/int_dataplane.go
// setUpIptablesNormal):
// - INPUT `-j cali-INPUT`: the tunnel checks (IPIP and VXLAN packets only from Calico hosts,
//   WireGuard allowed), then `-i cali+ -g cali-wl-to-host`: the workload's egress policy through
//   the from-workload dispatch, then FelixConfiguration defaultEndpointToHostAction; the rest
//   goes to the host endpoint dispatch (empty: the lab has no host endpoints).
// - OUTPUT `-j cali-OUTPUT`: `-o cali+ -j RETURN`. Felix does not police host → workload
//   with the workload's ingress policy ("We don't currently police host -> endpoint", static.go
//   filterOutputChain; only IPVS connections are, and the lab runs no IPVS).
// Not rendered (no host endpoints, no IPVS, no OpenStack): cali-failsafe-in/out, which only
// host endpoint chains jump to, and the IPVS forward-check chains.
import {
  MARK_ACCEPT,
  MARK_PASS,
  MARK_SCRATCH0,
  MARK_SCRATCH1,
  type FilterAction,
  type FilterChain,
  type FilterRule,
} from './filter-types.js';

export const CHAIN_FILTER_INPUT = 'cali-INPUT';
export const CHAIN_FILTER_OUTPUT = 'cali-OUTPUT';
export const CHAIN_WL_TO_HOST = 'cali-wl-to-host';
/** filter-felix.ts's CHAIN_FROM_WL_DISPATCH (that file builds on this one). */
const CHAIN_FROM_WL_DISPATCH = 'cali-from-wl-dispatch';
const CHAIN_FROM_HOST_ENDPOINT = 'cali-from-host-endpoint';
const CHAIN_TO_HOST_ENDPOINT = 'cali-to-host-endpoint';
const IPSET_ALL_HOSTS = 'cali40all-hosts-net';
const IPSET_ALL_VXLAN = 'cali40all-vxlan-net';
const PROTO_IPIP = 4;
const PROTO_UDP = 17;
const PROTO_ICMPV6 = 58;
/** Felix's WireguardListeningPort default (config_params.go). */
const WIREGUARD_PORT = 51820;
/** allCalicoMarkBits: accept, pass, scratch0, scratch1. */
const ALL_CALICO_MARKS = MARK_ACCEPT | MARK_PASS | MARK_SCRATCH0 | MARK_SCRATCH1;

/** FelixConfiguration defaultEndpointToHostAction, as the lab spells it. */
export type EndpointToHostAction = 'Drop' | 'Accept' | 'Return';

/**
 * What the lab uses when the FelixConfiguration leaves defaultEndpointToHostAction unset: ACCEPT,
 * as Calico's manifests and Helm chart install calico-node (FELIX_DEFAULTENDPOINTTOHOSTACTION=
 * ACCEPT) and the operator does too; Felix's own default without that variable is DROP.
 */
export const DEFAULT_ENDPOINT_TO_HOST_ACTION: EndpointToHostAction = 'Accept';

export interface HostFilterOptions {
  ipip: boolean;
  vxlan: boolean;
  vxlanPort: number;
  wireguard: boolean;
  endpointToHost: EndpointToHostAction;
}

function endpointToHostAction(a: EndpointToHostAction): FilterAction {
  return a === 'Drop' ? { kind: 'drop' } : a === 'Accept' ? { kind: 'accept' } : { kind: 'return' };
}

function inputChain(o: HostFilterOptions, v6: boolean): FilterChain {
  const rules: FilterRule[] = [];
  // The tunnel rules are IPv4's (the lab has no IPv6 VXLAN or WireGuard).
  if (o.ipip && !v6)
    rules.push(
      {
        match: [
          { kind: 'protocolNum', num: PROTO_IPIP },
          { kind: 'srcSet', set: IPSET_ALL_HOSTS },
          { kind: 'dstAddrTypeLocal' },
        ],
        action: { kind: 'accept' },
        comments: ['Allow IPIP packets from Calico hosts'],
      },
      {
        match: [{ kind: 'protocolNum', num: PROTO_IPIP }],
        action: { kind: 'drop' },
        comments: ['Drop IPIP packets from non-Calico hosts'],
        origin: { role: 'IPIP packet from a non-Calico host' },
      },
    );
  if (o.vxlan && !v6)
    rules.push(
      {
        match: [
          { kind: 'protocolNum', num: PROTO_UDP },
          { kind: 'dstPorts', ports: String(o.vxlanPort) },
          { kind: 'srcSet', set: IPSET_ALL_VXLAN },
          { kind: 'dstAddrTypeLocal' },
        ],
        action: { kind: 'accept' },
        comments: ['Allow IPv4 VXLAN packets from allowed hosts'],
      },
      {
        match: [
          { kind: 'protocolNum', num: PROTO_UDP },
          { kind: 'dstPorts', ports: String(o.vxlanPort) },
          { kind: 'dstAddrTypeLocal' },
        ],
        action: { kind: 'drop' },
        comments: ['Drop IPv4 VXLAN packets from non-allowed hosts'],
        origin: { role: 'VXLAN packet from a non-Calico host' },
      },
    );
  if (o.wireguard && !v6)
    rules.push({
      match: [
        { kind: 'protocolNum', num: PROTO_UDP },
        { kind: 'dstPorts', ports: String(WIREGUARD_PORT) },
        { kind: 'dstAddrTypeLocal' },
      ],
      action: { kind: 'accept' },
      comments: ['Allow incoming IPv4 Wireguard packets'],
    });
  rules.push(
    {
      match: [{ kind: 'inInterface', name: 'cali+' }],
      action: { kind: 'goto', target: CHAIN_WL_TO_HOST },
      origin: { role: 'from a workload to the host' },
    },
    { match: [{ kind: 'markSet', mark: MARK_ACCEPT }], action: { kind: 'accept' } },
    { match: [], action: { kind: 'clearMark', mask: ALL_CALICO_MARKS } },
    { match: [], action: { kind: 'jump', target: CHAIN_FROM_HOST_ENDPOINT } },
    {
      match: [{ kind: 'markSet', mark: MARK_ACCEPT }],
      action: { kind: 'accept' },
      comments: ['Host endpoint policy accepted packet.'],
    },
  );
  return { name: CHAIN_FILTER_INPUT, rules };
}

function outputChain(o: HostFilterOptions, v6: boolean): FilterChain {
  const rules: FilterRule[] = [
    { match: [{ kind: 'markSet', mark: MARK_ACCEPT }], action: { kind: 'accept' } },
    {
      match: [{ kind: 'outInterface', name: 'cali+' }],
      action: { kind: 'return' },
      origin: { role: 'host to a workload: not policed by Felix' },
    },
  ];
  if (o.ipip && !v6)
    rules.push({
      match: [
        { kind: 'protocolNum', num: PROTO_IPIP },
        { kind: 'dstSet', set: IPSET_ALL_HOSTS },
        { kind: 'srcAddrTypeLocal' },
      ],
      action: { kind: 'accept' },
      comments: ['Allow IPIP packets to other Calico hosts'],
    });
  if (o.vxlan && !v6)
    rules.push({
      match: [
        { kind: 'protocolNum', num: PROTO_UDP },
        { kind: 'dstPorts', ports: String(o.vxlanPort) },
        { kind: 'srcAddrTypeLocal' },
        { kind: 'dstSet', set: IPSET_ALL_VXLAN },
      ],
      action: { kind: 'accept' },
      comments: ['Allow IPv4 VXLAN packets to other allowed hosts'],
    });
  if (o.wireguard && !v6)
    rules.push({
      match: [
        { kind: 'protocolNum', num: PROTO_UDP },
        { kind: 'dstPorts', ports: String(WIREGUARD_PORT) },
        { kind: 'srcAddrTypeLocal' },
      ],
      action: { kind: 'accept' },
      comments: ['Allow outgoing IPv4 Wireguard packets'],
    });
  rules.push(
    { match: [], action: { kind: 'clearMark', mask: ALL_CALICO_MARKS } },
    {
      match: [{ kind: 'notCtstateDnat' }],
      action: { kind: 'jump', target: CHAIN_TO_HOST_ENDPOINT },
    },
    {
      match: [{ kind: 'markSet', mark: MARK_ACCEPT }],
      action: { kind: 'accept' },
      comments: ['Host endpoint policy accepted packet.'],
    },
  );
  return { name: CHAIN_FILTER_OUTPUT, rules };
}

/**
 * ICMPv6Filter: in the IPv6 table, the ICMPv6 a router must hear from its workloads (multicast
 * listener query/report/done, router solicitation, neighbour solicitation/advertisement) is
 * accepted before the egress policy.
 */
const ICMPV6_ROUTER_TYPES = [130, 131, 132, 133, 135, 136];

function workloadToHostChain(o: HostFilterOptions, v6: boolean): FilterChain {
  const icmpv6: FilterRule[] = v6
    ? ICMPV6_ROUTER_TYPES.map((type) => ({
        match: [
          { kind: 'protocolNum', num: PROTO_ICMPV6 },
          { kind: 'icmp6', type },
        ],
        action: { kind: 'accept' },
      }))
    : [];
  return {
    name: CHAIN_WL_TO_HOST,
    rules: [
      ...icmpv6,
      { match: [], action: { kind: 'jump', target: CHAIN_FROM_WL_DISPATCH } },
      {
        match: [],
        action: endpointToHostAction(o.endpointToHost),
        comments: ['Configured DefaultEndpointToHostAction'],
        origin: { role: `defaultEndpointToHostAction ${o.endpointToHost}` },
      },
    ],
  };
}

/** The INPUT/OUTPUT side of Felix's filter table: its chains and the two kernel hooks. */
export function hostFilterChains(
  o: HostFilterOptions,
  ipVersion: 4 | 6 = 4,
): {
  chains: FilterChain[];
  inserts: { chain: string; rules: FilterRule[] }[];
} {
  return {
    chains: [
      inputChain(o, ipVersion === 6),
      workloadToHostChain(o, ipVersion === 6),
      { name: CHAIN_FROM_HOST_ENDPOINT, rules: [] },
      outputChain(o, ipVersion === 6),
      { name: CHAIN_TO_HOST_ENDPOINT, rules: [] },
    ],
    inserts: [
      {
        chain: 'INPUT',
        rules: [{ match: [], action: { kind: 'jump', target: CHAIN_FILTER_INPUT } }],
      },
      {
        chain: 'OUTPUT',
        rules: [{ match: [], action: { kind: 'jump', target: CHAIN_FILTER_OUTPUT } }],
      },
    ],
  };
}
