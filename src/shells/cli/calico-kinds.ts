// `egress-lab get KIND` for the Calico kinds the lab models besides IPPool (which keeps its own
// command, get-ippool.ts). The kind names and aliases, table headings and cells follow
// calicoctl's resource registrations in projectcalico/calico (commit 87c15906f2):
//   calicoctl/calicoctl/resourcemgr/bgppeer.go:32-39, bgpconfig.go:32-39, felixconfig.go:32-36
// and its printers in calicoctl/calicoctl/commands/common/printer.go (tabwriter table, JSON
// and YAML lists). calicoctl has no `-o name`: it prints `kind/name` per line as kubectl does.
import { stringify } from 'yaml';
import { tabwrite } from '../../core/calico/format.js';
import type { BGPConfiguration, BGPPeer, FelixConfiguration } from '../../core/model/calico.js';

export type Output = 'table' | 'wide' | 'yaml' | 'json' | 'name';
export const OUTPUTS = ['wide', 'yaml', 'json', 'name'] as const;

type Resource = BGPPeer | BGPConfiguration | FelixConfiguration;

interface KindInfo<R extends Resource> {
  kind: R['kind'];
  /** calicoctl's names for the kind (registerResource's third argument). */
  names: readonly string[];
  headings: readonly string[];
  /** calicoctl's table has the same columns with and without `-o wide` for these kinds. */
  wideHeadings: readonly string[];
  cells(r: R): string[];
  spec(r: R): Record<string, unknown>;
}

const bgpPeer: KindInfo<BGPPeer> = {
  kind: 'BGPPeer',
  names: ['bgppeer', 'bgppeers', 'bgpp', 'bgpps', 'bp', 'bps'],
  headings: ['NAME', 'PEERIP', 'NODE', 'ASN'],
  wideHeadings: ['NAME', 'PEERIP', 'NODE', 'ASN'],
  // NODE: "{{ if eq .Spec.Node `` }}{{ if eq .Spec.NodeSelector `` }}(global){{ else }}
  //        {{.Spec.NodeSelector}}{{ end }}{{ else }}{{.Spec.Node}}{{ end }}"
  cells: (p) => [
    p.name,
    p.spec.peerIP,
    p.spec.node || p.spec.nodeSelector || '(global)',
    String(p.spec.asNumber),
  ],
  spec: (p) => {
    const s: Record<string, unknown> = {};
    if (p.spec.node) s.node = p.spec.node;
    s.peerIP = p.spec.peerIP;
    s.asNumber = p.spec.asNumber;
    if (p.spec.nodeSelector) s.nodeSelector = p.spec.nodeSelector;
    if (p.spec.peerSelector) s.peerSelector = p.spec.peerSelector;
    if (p.spec.keepOriginalNextHop) s.keepOriginalNextHop = true;
    if (p.spec.password) s.password = p.spec.password;
    return s;
  },
};

const bgpConfiguration: KindInfo<BGPConfiguration> = {
  kind: 'BGPConfiguration',
  names: ['bgpconfiguration', 'bgpconfigurations', 'bgpconfig', 'bgpconfigs'],
  headings: ['NAME', 'LOGSEVERITY', 'MESHENABLED', 'ASNUMBER'],
  wideHeadings: ['NAME', 'LOGSEVERITY', 'MESHENABLED', 'ASNUMBER'],
  // MESHENABLED: "{{if .Spec.NodeToNodeMeshEnabled}}{{.Spec.NodeToNodeMeshEnabled}}{{ else }}-{{ end }}"
  // (a *bool: set, it prints true or false); ASNUMBER likewise, "-" when unset.
  cells: (c) => [
    c.name,
    c.spec.logSeverityScreen ?? '',
    String(c.spec.nodeToNodeMeshEnabled),
    String(c.spec.asNumber),
  ],
  spec: (c) => {
    const s: Record<string, unknown> = {};
    if (c.spec.logSeverityScreen) s.logSeverityScreen = c.spec.logSeverityScreen;
    s.nodeToNodeMeshEnabled = c.spec.nodeToNodeMeshEnabled;
    s.asNumber = c.spec.asNumber;
    if (c.spec.listenPort !== undefined) s.listenPort = c.spec.listenPort;
    return s;
  },
};

const felixConfiguration: KindInfo<FelixConfiguration> = {
  kind: 'FelixConfiguration',
  names: ['felixconfiguration', 'felixconfigurations', 'felixconfig', 'felixconfigs'],
  headings: ['NAME'],
  wideHeadings: ['NAME'],
  cells: (f) => [f.name],
  spec: (f) => ({ ...f.spec }),
};

export const KINDS = [bgpPeer, bgpConfiguration, felixConfiguration] as const;
export type Kind = (typeof KINDS)[number];

/** IPPool's names, routed to `get ippool` (ippool.go:32). */
export const IPPOOL_NAMES = ['ippool', 'ippools', 'ipp', 'ipps', 'pool', 'pools'];

export function kindNamed(word: string): Kind | undefined {
  const w = word.toLowerCase();
  return KINDS.find((k) => k.names.includes(w));
}

/** The resources of the lab (or files) the command reads, by kind. */
export interface ResourceSet {
  bgpPeers: readonly BGPPeer[];
  bgpConfigurations: readonly BGPConfiguration[];
  felixConfigurations: readonly FelixConfiguration[];
}

export function resourcesOf(kind: Kind, set: ResourceSet): Resource[] {
  return kind.kind === 'BGPPeer'
    ? [...set.bgpPeers]
    : kind.kind === 'BGPConfiguration'
      ? [...set.bgpConfigurations]
      : [...set.felixConfigurations];
}

function toObject(kind: Kind, r: Resource): Record<string, unknown> {
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: kind.kind,
    metadata: { name: r.name },
    spec: (kind.spec as (r: Resource) => Record<string, unknown>)(r),
  };
}

export function formatResources(kind: Kind, items: readonly Resource[], output: Output): string {
  const cells = kind.cells as (r: Resource) => string[];
  switch (output) {
    case 'table':
      return tabwrite([kind.headings, ...items.map(cells)]);
    case 'wide':
      return tabwrite([kind.wideHeadings, ...items.map(cells)]);
    case 'name':
      return items.map((r) => `${kind.kind.toLowerCase()}/${r.name}\n`).join('');
    case 'json':
      // printer.go: a list is printed as {kind: <Kind>List, apiVersion, metadata, items}.
      return (
        JSON.stringify(
          {
            kind: `${kind.kind}List`,
            apiVersion: 'projectcalico.org/v3',
            metadata: {},
            items: items.map((r) => toObject(kind, r)),
          },
          null,
          2,
        ) + '\n'
      );
    case 'yaml':
      return stringify(
        {
          apiVersion: 'projectcalico.org/v3',
          items: items.map((r) => toObject(kind, r)),
          kind: `${kind.kind}List`,
          metadata: {},
        },
        { indentSeq: false, lineWidth: 0 },
      );
  }
}
