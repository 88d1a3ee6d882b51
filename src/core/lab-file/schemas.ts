// Structure of every document a lab file may hold, as zod schemas with strict objects: an
// unknown field is an error naming it. Calico's semantic checks (CIDRs, modes, messages) live in
// src/core/calico; these schemas only pin shapes and types. Fields Calico v3.30 knows but the lab
// does not model are accepted (z.unknown) so pasted `calicoctl get -o yaml` output loads.
import { z } from 'zod';
import { objectMeta, resourceShape } from './resource-shape.js';
import { enterpriseSection, firewallSection } from './perimeter-schemas.js';
import { kubeProxySchema, serviceIPBlocks, serviceSchema } from './service-schemas.js';
import { POLICY_KINDS, policyResourceSchemas } from './policy-schemas.js';
import { exerciseSchema, type ExerciseDocument } from './exercise-schema.js';

const labels = z.record(z.string(), z.string());
const ignored = z.unknown().optional();

const listMeta = z.strictObject({
  resourceVersion: ignored,
  continue: ignored,
  selfLink: ignored,
  remainingItemCount: ignored,
});

const asNumber = z.union([z.number(), z.string()]);

export const ipPoolSpec = z.strictObject({
  cidr: z.string().optional(),
  blockSize: z.number().int().optional(),
  natOutgoing: z.boolean().optional(),
  disabled: z.boolean().optional(),
  disableBGPExport: z.boolean().optional(),
  ipipMode: z.string().optional(),
  vxlanMode: z.string().optional(),
  nodeSelector: z.string().optional(),
  allowedUses: z.array(z.string()).optional(),
  assignmentMode: z.string().optional(),
  ipip: z.strictObject({ enabled: z.boolean().optional(), mode: z.string().optional() }).optional(),
  'nat-outgoing': z.boolean().optional(),
});

export const bgpConfigurationSpec = z.strictObject({
  asNumber: asNumber.optional(),
  nodeToNodeMeshEnabled: z.boolean().optional(),
  logSeverityScreen: z.string().optional(),
  listenPort: z.number().int().optional(),
  nodeMeshPassword: ignored,
  nodeMeshMaxRestartTime: ignored,
  serviceLoadBalancerIPs: serviceIPBlocks.optional(),
  serviceExternalIPs: serviceIPBlocks.optional(),
  serviceClusterIPs: serviceIPBlocks.optional(),
  communities: ignored,
  prefixAdvertisements: ignored,
  bindMode: ignored,
  ignoredInterfaces: ignored,
  localWorkloadPeeringIPV4: ignored,
  localWorkloadPeeringIPV6: ignored,
  programClusterRoutes: ignored,
});

export const bgpPeerSpec = z.strictObject({
  node: z.string().optional(),
  nodeSelector: z.string().optional(),
  peerIP: z.string().optional(),
  asNumber: asNumber.optional(),
  peerSelector: z.string().optional(),
  keepOriginalNextHop: z.boolean().optional(),
  password: z
    .strictObject({
      secretKeyRef: z
        .strictObject({ name: z.string(), key: z.string(), optional: z.boolean().optional() })
        .optional(),
    })
    .optional(),
  sourceAddress: z.string().optional(),
  nextHopMode: ignored,
  failureDetectionMode: ignored,
  restartMode: ignored,
  maxRestartTime: ignored,
  birdGatewayMode: ignored,
  numAllowedLocalASNumbers: ignored,
  ttlSecurity: ignored,
  filters: ignored,
  reachableBy: ignored,
  localWorkloadSelector: ignored,
  reversePeering: ignored,
});

// Every FelixConfigurationSpec field of Calico v3.30 (api/pkg/apis/projectcalico/v3/felixconfig.go)
// the lab does not model (field-coverage.ts says what it does instead), then those v3.31 … v3.33
// added (release-v3.33's felixconfig.go); the modelled ones follow.
export const FELIX_FIELDS =
  `allowIPIPPacketsFromWorkloads allowVXLANPacketsFromWorkloads awsSrcDstCheck bpfAttachType
bpfCTLBLogFilter bpfConnectTimeLoadBalancing bpfConnectTimeLoadBalancingEnabled bpfConntrackLogLevel bpfConntrackMode
bpfConntrackTimeouts bpfDSROptoutCIDRs bpfDataIfacePattern bpfDisableGROForIfaces bpfDisableUnprivileged
bpfEnforceRPF bpfExcludeCIDRsFromNAT bpfExportBufferSizeMB bpfExtToServiceConnmark bpfExternalServiceMode
bpfForceTrackPacketsFromIfaces bpfHostConntrackBypass bpfHostNetworkedNATWithoutCTLB bpfKubeProxyEndpointSlicesEnabled
bpfKubeProxyIptablesCleanupEnabled bpfKubeProxyMinSyncPeriod bpfL3IfacePattern bpfLogFilters bpfLogLevel
bpfMapSizeConntrack bpfMapSizeConntrackCleanupQueue bpfMapSizeConntrackScaling bpfMapSizeIPSets bpfMapSizeIfState
bpfMapSizeNATAffinity bpfMapSizeNATBackend bpfMapSizeNATFrontend bpfMapSizePerCpuConntrack bpfMapSizeRoute
bpfPSNATPorts bpfPolicyDebugEnabled bpfProfiling bpfRedirectToPeer cgroupV2Path chainInsertMode dataplaneDriver
dataplaneWatchdogTimeout debugDisableLogDropping debugHost debugMemoryProfilePath debugPort
debugSimulateCalcGraphHangAfter debugSimulateDataplaneApplyDelay debugSimulateDataplaneHangAfter
defaultEndpointToHostAction deviceRouteProtocol deviceRouteSourceAddress deviceRouteSourceAddressIPv6
disableConntrackInvalidCheck endpointReportingDelay endpointReportingEnabled endpointStatusPathPrefix
externalNodesList failsafeInboundHostPorts failsafeOutboundHostPorts featureDetectOverride featureGates floatingIPs
flowLogsCollectorDebugTrace flowLogsFlushInterval flowLogsGoldmaneServer flowLogsLocalReporter
flowLogsPolicyEvaluationMode genericXDPEnabled goGCThreshold goMaxProcs goMemoryLimitMB healthEnabled healthHost
healthPort healthTimeoutOverrides interfaceExclude interfacePrefix interfaceRefreshInterval ipForwarding ipipEnabled
ipipMTU ipsetsRefreshInterval iptablesBackend iptablesFilterAllowAction iptablesFilterDenyAction
iptablesLockFilePath iptablesLockProbeInterval iptablesLockTimeout iptablesMangleAllowAction iptablesMarkMask
iptablesPostWriteCheckInterval iptablesRefreshInterval ipv6Support kubeNodePortRanges
logDebugFilenameRegex logFilePath logPrefix logSeverityFile logSeverityScreen logSeveritySys maxIpsetSize
metadataAddr metadataPort mtuIfacePattern netlinkTimeout nftablesFilterAllowAction nftablesFilterDenyAction
nftablesMangleAllowAction nftablesMarkMask nftablesRefreshInterval openstackRegion policySyncPathPrefix
programClusterRoutes prometheusGoMetricsEnabled prometheusMetricsEnabled prometheusMetricsHost prometheusMetricsPort
prometheusProcessMetricsEnabled prometheusWireGuardMetricsEnabled removeExternalRoutes reportingInterval reportingTTL
requireMTUFile routeRefreshInterval routeSource routeSyncDisabled routeTableRange routeTableRanges
serviceLoopPrevention sidecarAccelerationEnabled usageReportingEnabled usageReportingInitialDelay
usageReportingInterval useInternalDataplaneDriver vxlanEnabled vxlanMTU vxlanMTUV6 vxlanPort vxlanVNI
windowsManageFirewallRules wireguardEnabled wireguardEnabledV6 wireguardHostEncryptionEnabled wireguardInterfaceName
wireguardInterfaceNameV6 wireguardKeepAlive wireguardListeningPort wireguardListeningPortV6 wireguardMTU
wireguardMTUV6 wireguardRoutingRulePriority wireguardThreadingEnabled workloadSourceSpoofing xdpEnabled
xdpRefreshInterval
bpfIPFragTimeout bpfIPFragmentReassemblyEnabled bpfJITHardening bpfKubeProxyHealthzPort
bpfMaglevMaxEndpointsPerService bpfMaglevMaxServices bpfOverlayHostSourceIP
ipv4ElevatedRoutePriority ipv4NormalRoutePriority ipv6ElevatedRoutePriority ipv6NormalRoutePriority
istioAmbientMode istioDSCPMark liveMigrationRouteConvergenceTime localSubnetL2Reachability
localSubnetL2ReachabilityRefreshInterval logActionRateLimit logActionRateLimitBurst
nftablesFlowTableDataIfacePattern nftablesFlowTableOffload nodeSelector prometheusMetricsCAFile
prometheusMetricsCertFile prometheusMetricsClientAuth prometheusMetricsKeyFile`
    .split(/\s+/)
    .filter(Boolean);

export const felixConfigurationSpec = z.strictObject({
  ...Object.fromEntries(FELIX_FIELDS.map((f) => [f, ignored])),
  natOutgoingAddress: z.string().optional(),
  iptablesNATOutgoingInterfaceFilter: z.string().optional(),
  natPortRange: z.union([z.string(), z.number()]).optional(),
  natOutgoingExclusions: z.string().optional(),
  // Values checked in calico/felix.ts with the API server's words (the CRD's enum).
  nftablesMode: z.string().optional(),
  bpfEnabled: z.boolean().optional(),
});

function calicoResource<K extends string, S extends z.ZodType>(kind: K, spec: S) {
  return resourceShape(kind, objectMeta, spec);
}

export const ipPoolResource = calicoResource('IPPool', ipPoolSpec);
export const bgpConfigurationResource = calicoResource('BGPConfiguration', bgpConfigurationSpec);
export const bgpPeerResource = calicoResource('BGPPeer', bgpPeerSpec);
export const felixConfigurationResource = calicoResource(
  'FelixConfiguration',
  felixConfigurationSpec,
);

export const CALICO_KINDS = [
  'IPPool',
  'BGPConfiguration',
  'BGPPeer',
  'FelixConfiguration',
  ...POLICY_KINDS,
] as const;
export type CalicoKind = (typeof CALICO_KINDS)[number];
export const CALICO_API_VERSIONS = ['projectcalico.org/v3', 'crd.projectcalico.org/v1'];

export const resourceSchemas = {
  IPPool: ipPoolResource,
  BGPConfiguration: bgpConfigurationResource,
  BGPPeer: bgpPeerResource,
  FelixConfiguration: felixConfigurationResource,
  ...policyResourceSchemas,
} as const;

export const listResource = z.strictObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: listMeta.optional(),
  items: z.array(z.unknown()),
});

const port = z.number().int().min(1).max(65535);

export const labDocument = z.strictObject({
  apiVersion: z.literal('egress-lab/v1'),
  kind: z.literal('Lab'),
  metadata: z.strictObject({
    name: z.string(),
    description: z.string().optional(),
    docs: z.string().optional(),
    notes: z.string().optional(),
  }),
  spec: z.strictObject({
    calicoVersion: z.string().optional(),
    fabric: z
      .strictObject({
        cidr: z.string().optional(),
        ipv6Cidr: z.string().optional(),
        // Several L2 segments routed by the router (lab-racks.ts); exclusive with cidr.
        racks: z
          .array(
            z.strictObject({
              name: z.string(),
              cidr: z.string(),
              router: z.string().optional(),
              // A top-of-rack router of the rack's own, AS per rack (lab-tor.ts).
              tor: z
                .strictObject({
                  name: z.string().optional(),
                  asNumber,
                  exportPodBlocks: z.boolean().optional(),
                })
                .optional(),
            }),
          )
          .min(1)
          .optional(),
      })
      .optional(),
    router: z
      .strictObject({
        name: z.string().optional(),
        address: z.string().optional(),
        asNumber: asNumber.optional(),
        ipv6Address: z.string().optional(),
      })
      .optional(),
    nodes: z
      .array(
        z.strictObject({
          name: z.string(),
          address: z.string().optional(),
          labels: labels.optional(),
          extraAddresses: z.array(z.string()).optional(),
          rack: z.string().optional(),
          // Calico Node spec.bgp.routeReflectorClusterID: the node is a route reflector.
          routeReflectorClusterID: z.string().optional(),
          ipv6Address: z.string().optional(),
        }),
      )
      .min(1),
    pods: z
      .array(
        z.strictObject({
          name: z.string(),
          node: z.string(),
          namespace: z.string().optional(),
          labels: labels.optional(),
          annotations: labels.optional(),
          // What the pod serves (echo servers answering with the source they saw), for Services.
          tcpPorts: z.array(port).optional(),
          udpPorts: z.array(port).optional(),
        }),
      )
      .optional(),
    hosts: z
      .array(
        z.strictObject({
          name: z.string(),
          address: z.string(),
          gateway: z.string().optional(),
          tcpPorts: z.array(port).optional(),
          udpPorts: z.array(port).optional(),
          ipv6Address: z.string().optional(),
          ipv6Gateway: z.string().optional(),
        }),
      )
      .optional(),
    // Namespaces with labels, as namespaceSelectors see them (pods' namespaces exist anyway).
    namespaces: z.array(z.strictObject({ name: z.string(), labels: labels.optional() })).optional(),
    expect: z
      .array(
        z.strictObject({
          from: z.string(),
          to: z.string(),
          protocol: z.enum(['icmp', 'tcp', 'udp']).optional(),
          port: port.optional(),
          // seenAs and reply may be left out of a denied entry (allowed: false).
          seenAs: z.string().optional(),
          reply: z.boolean().optional(),
          allowed: z.boolean().optional(),
          // `to: service/NAME`: which of the Service's addresses (clusterIP, loadBalancer, externalIP, or a node name for its NodePort).
          via: z.string().optional(),
          ipVersion: z.union([z.literal(4), z.literal(6)]).optional(),
        }),
      )
      .optional(),
    firewall: firewallSection.optional(),
    enterprise: enterpriseSection.optional(),
    services: z.array(serviceSchema).optional(),
    kubeProxy: kubeProxySchema.optional(),
    // Calico's CNI config (ipam.assign_ipv4): false gives pods IPv6 only (lab-ipv6-only.ts).
    cni: z.strictObject({ assignIpv4: z.boolean().optional() }).optional(),
    // Workshops (exercise-schema.ts): lazy, for its checks take the `expect` entries' own shape.
    exercise: z.lazy((): z.ZodType<ExerciseDocument> => exerciseDocument).optional(),
  }),
});

const exerciseDocument = exerciseSchema(labDocument.shape.spec.shape.expect.unwrap().element);

export type LabDocument = z.infer<typeof labDocument>;
