// Validated Lab objects for unit tests, with every default the lab-file loader fills in
// (Calico's IPPool defaults, api/pkg/apis/projectcalico/v3/ippool.go), so core tests do not depend on YAML parsing.
import type {
  BGPPeer,
  FelixConfiguration,
  IPPool,
  IPPoolSpec,
} from '../../../src/core/model/calico.js';
import type { Lab, LabHost, LabNode, LabPod } from '../../../src/core/model/lab.js';

export function pool(name: string, cidr: string, spec: Partial<IPPoolSpec> = {}): IPPool {
  return {
    kind: 'IPPool',
    name,
    labels: {},
    spec: {
      cidr,
      blockSize: 26,
      natOutgoing: false,
      disabled: false,
      disableBGPExport: false,
      ipipMode: 'Never',
      vxlanMode: 'Never',
      nodeSelector: 'all()',
      allowedUses: ['Workload', 'Tunnel'],
      assignmentMode: 'Automatic',
      ...spec,
    },
  };
}

export function node(name: string, address: string, extra: Partial<LabNode> = {}): LabNode {
  return { name, address, labels: {}, extraAddresses: [], ...extra };
}

export function pod(name: string, nodeName: string, extra: Partial<LabPod> = {}): LabPod {
  return { name, node: nodeName, namespace: 'default', labels: {}, annotations: {}, ...extra };
}

export function host(
  name: string,
  address: string,
  prefixLength: number,
  gateway: string,
): LabHost {
  return { name, address, prefixLength, gateway, tcpPorts: [8080], udpPorts: [8081] };
}

export function peer(
  name: string,
  peerIP: string,
  asNumber: number,
  spec: Partial<BGPPeer['spec']> = {},
): BGPPeer {
  return { kind: 'BGPPeer', name, spec: { peerIP, asNumber, ...spec } };
}

export function felix(spec: FelixConfiguration['spec'] = {}): FelixConfiguration {
  return { kind: 'FelixConfiguration', name: 'default', spec };
}

/** The outgoing-nat example: two nodes, two pods, internet + corp hosts, the default pool. */
export function makeLab(over: Partial<Lab> = {}): Lab {
  return {
    name: 'outgoing-nat',
    description: 'Pods reach the internet through the node address',
    docs: 'Configure outgoing NAT',
    calicoVersion: 'v3.30',
    fabric: { cidr: '172.30.0.0/24' },
    router: { name: 'tor', address: '172.30.0.1', asNumber: 64500 },
    nodes: [
      node('node-1', '172.30.0.11', { labels: { zone: 'a' } }),
      node('node-2', '172.30.0.12'),
    ],
    pods: [pod('web-1', 'node-1'), pod('db-1', 'node-2')],
    hosts: [
      host('internet', '203.0.113.10', 24, '203.0.113.1'),
      host('corp', '10.0.0.10', 24, '10.0.0.1'),
    ],
    expect: [],
    notes: '',
    ipPools: [pool('default-ipv4-ippool', '192.168.0.0/16', { natOutgoing: true })],
    bgpConfiguration: {
      kind: 'BGPConfiguration',
      name: 'default',
      spec: { asNumber: 64512, nodeToNodeMeshEnabled: true },
    },
    bgpPeers: [],
    felixConfiguration: felix(),
    ...over,
  };
}
