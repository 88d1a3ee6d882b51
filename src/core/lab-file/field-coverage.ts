// What the lab does with every field of every Calico resource it accepts: modelled (the lab's
// rules, routes or BIRD config follow it, or it is refused when it cannot be followed), set by
// the server (metadata a datastore writes; the lab, like `calicoctl create`, has no use for it),
// or not modelled: then loading warns "not modelled: <field> — <what the lab does instead>".
// test/unit/lab-file/field-coverage.test.ts walks the schemas and fails on a field missing here.
import type { Problem } from '../errors.js';
import { FELIX_FIELDS, type CalicoKind } from './schemas.js';
import type { Entry } from './entries.js';
import { POLICY_COVERAGE } from './policy-coverage.js';
import { locate } from './source.js';
import { METADATA, TOP, type FieldRule, type ResourceCoverage } from './coverage-common.js';

export type { FieldRule, NotModelled, ResourceCoverage } from './coverage-common.js';

const IPPOOL: Record<string, FieldRule> = {
  cidr: 'modelled',
  blockSize: 'modelled',
  natOutgoing: 'modelled',
  disabled: 'modelled',
  disableBGPExport: 'modelled',
  nodeSelector: 'modelled',
  allowedUses: 'modelled',
  assignmentMode: 'modelled',
  // Refused with Calico's own error when set (deprecated APIv1 fields).
  ipip: 'modelled',
  'nat-outgoing': 'modelled',
  // tunl0, the tunnel address, the MASQUERADE rule and routes via tunl0 (plan/encap.ts);
  // `up` needs the kernel's ipip module (runtime/lab/kernel-modules.ts).
  ipipMode: 'modelled',
  // vxlan.calico with Felix's routes, ARP and FDB entries (plan/encap.ts), on the wire.
  vxlanMode: 'modelled',
};

const BGP_CONFIGURATION: Record<string, FieldRule> = {
  asNumber: 'modelled',
  nodeToNodeMeshEnabled: 'modelled',
  listenPort: 'modelled',
  serviceClusterIPs: 'modelled',
  serviceExternalIPs: 'modelled',
  serviceLoadBalancerIPs: 'modelled',
  logSeverityScreen: { instead: 'checked as Calico does; BIRD logs at the lab image’s level' },
};
for (const f of [
  'nodeMeshPassword',
  'nodeMeshMaxRestartTime',
  'communities',
  'prefixAdvertisements',
  'bindMode',
  'ignoredInterfaces',
  'localWorkloadPeeringIPV4',
  'localWorkloadPeeringIPV6',
  'programClusterRoutes',
]) {
  BGP_CONFIGURATION[f] = { instead: 'ignored: BIRD is configured as if it were unset' };
}

const BGP_PEER: Record<string, FieldRule> = {
  node: 'modelled',
  nodeSelector: 'modelled',
  peerIP: 'modelled',
  asNumber: 'modelled',
  peerSelector: 'modelled',
  keepOriginalNextHop: 'modelled',
  password: { instead: 'the BGP session runs without a password (the secret is not read)' },
  sourceAddress: {
    instead: 'BIRD always uses the node address as source (UseNodeIP)',
    when: (v) => v !== 'UseNodeIP' && v !== '' && v !== undefined,
  },
};
for (const f of [
  'nextHopMode',
  'failureDetectionMode',
  'restartMode',
  'maxRestartTime',
  'birdGatewayMode',
  'numAllowedLocalASNumbers',
  'ttlSecurity',
  'filters',
  'reachableBy',
  'localWorkloadSelector',
  'reversePeering',
]) {
  BGP_PEER[f] = { instead: 'ignored: the BIRD session is configured as if it were unset' };
}

const FELIX: Record<string, FieldRule> = {
  natOutgoingAddress: 'modelled',
  iptablesNATOutgoingInterfaceFilter: 'modelled',
  natPortRange: 'modelled',
  natOutgoingExclusions: 'modelled',
  // false: the iptables dataplane the lab renders; true: refused (see felix-placement.ts).
  bpfEnabled: 'modelled',
  // Enabled: Felix's nftables dataplane (render-nft.ts); Disabled: the iptables one; Auto
  // follows spec.kubeProxy.mode (calico/felix-nftables-auto.ts: nftables only with kube-proxy
  // in nftables mode). Auto before v3.32 warns in the version checks.
  nftablesMode: 'modelled',
  // Encapsulation (calico/felix-encap.ts, plan/encap.ts); WireGuard is rendered, and `up`
  // refuses it where the kernel has no wireguard module.
  vxlanVNI: 'modelled',
  vxlanPort: 'modelled',
  vxlanMTU: 'modelled',
  ipipMTU: 'modelled',
  wireguardEnabled: 'modelled',
  wireguardInterfaceName: 'modelled',
  wireguardMTU: 'modelled',
  // false: no cali60 sets and no IPv6 NAT table on the node (either mode); pods keep their
  // IPv6 addresses and CNI routes, BIRD its IPv6 side (calico/felix-ipv6.ts, checks-ipv6.ts warns).
  ipv6Support: 'modelled',
  // cali-wl-to-host's last rule (dataplane/filter-host.ts); unset: Accept, as the manifests and
  // the operator run calico-node (Felix's own default is Drop).
  defaultEndpointToHostAction: 'modelled',
  // Selector-scoped FelixConfigurations are new in v3.33 (config_params / calc graph).
  nodeSelector: {
    instead:
      'the lab applies a FelixConfiguration by its name only ("default" to every node, "node.<name>" to that node)',
  },
};
for (const f of FELIX_FIELDS) {
  if (FELIX[f]) continue;
  FELIX[f] = f.startsWith('bpf')
    ? { instead: 'ignored: it only tunes the eBPF dataplane, which the lab does not run' }
    : f.startsWith('wireguard') || f.startsWith('ipip') || f.startsWith('vxlan')
      ? { instead: 'ignored: the lab runs no tunnel or WireGuard devices' }
      : { instead: 'ignored: the rules the lab renders are those Felix programs with it unset' };
}

export const FIELD_COVERAGE: Record<CalicoKind, ResourceCoverage> = {
  IPPool: { top: TOP, metadata: METADATA, spec: IPPOOL },
  BGPConfiguration: { top: TOP, metadata: METADATA, spec: BGP_CONFIGURATION },
  BGPPeer: { top: TOP, metadata: METADATA, spec: BGP_PEER },
  FelixConfiguration: { top: TOP, metadata: METADATA, spec: FELIX },
  ...POLICY_COVERAGE,
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** "not modelled" warnings for one Calico entry, positioned at each field's key. */
export function entryWarnings(entry: Entry): Problem[] {
  if (entry.kind === 'Lab') return [];
  const cov = FIELD_COVERAGE[entry.kind];
  const out: Problem[] = [];
  const visit = (section: 'top' | 'metadata' | 'spec', obj: unknown, prefix: string[]) => {
    if (!isRecord(obj)) return;
    for (const [key, value] of Object.entries(obj)) {
      const rule = cov[section][key];
      if (rule === undefined || rule === 'modelled' || rule === 'server') continue;
      if (value === undefined || value === null) continue;
      if (rule.when && !rule.when(value)) continue;
      const path = [...prefix, key];
      const field = path.join('.');
      // The field is named in the message, as the issue words it, not again in Problem.field.
      out.push({
        position: locate(entry.pd, [...entry.basePath, ...path], 'key'),
        kind: entry.kind,
        ...(entry.name !== undefined ? { name: entry.name } : {}),
        severity: 'warning',
        message: `not modelled: ${field} — ${rule.instead}`,
      });
    }
  };
  visit('top', entry.value, []);
  visit('metadata', entry.value.metadata, ['metadata']);
  visit('spec', entry.value.spec, ['spec']);
  return out;
}
