// The lab file as a JSON Schema, generated from the zod schemas that validate it, for editors:
// yaml-language-server (`# yaml-language-server: $schema=…`) and the app's YAML editor.
// yaml-language-server applies one schema to each YAML document, so the root is a oneOf over
// the document kinds, each pinned by its `kind` (and apiVersion). The JSON Schema is a guide
// for completion and hovers; the loader stays the judge (CIDRs, selectors and cross checks are
// beyond it).
import { K8S_NETWORK_POLICY, K8S_NETWORKING_API } from './policy-schemas.js';
import { z } from 'zod';
import {
  CALICO_API_VERSIONS,
  CALICO_KINDS,
  labDocument,
  listResource,
  resourceSchemas,
  type CalicoKind,
} from './schemas.js';

export type JsonSchema = { [key: string]: unknown };

export { LAB_SCHEMA_PATH } from './schema-comment.js';

// What each field means, shown on hover. Keyed by kind, then the field's path with `[]` for
// array items. Only fields without a description of their own (zod's .describe/.meta) get one.
const DESCRIPTIONS: Record<string, Record<string, string>> = {
  Lab: {
    '': 'The lab: its nodes, pods and outside hosts. The first document of a lab file; the Calico resources follow it.',
    apiVersion: 'Always egress-lab/v1.',
    kind: 'Always Lab.',
    metadata: 'The name and the texts shown in the gallery.',
    'metadata.name': 'The lab name; containers are named after it.',
    'metadata.description': 'One line shown in the template gallery.',
    'metadata.docs': 'The Calico documentation page the lab follows.',
    'metadata.notes': 'What to try in the lab, shown next to the topology.',
    spec: 'What the lab is made of.',
    'spec.calicoVersion': 'The Calico version whose behaviour is modelled (v3.30).',
    'spec.fabric': 'The network joining the nodes, the router and the outside hosts.',
    'spec.fabric.cidr': 'The fabric subnet, e.g. 172.30.0.0/24.',
    'spec.fabric.racks':
      'Several subnets (racks) instead of one cidr, each its own L2 segment routed by the router.',
    'spec.fabric.racks[].name': 'The rack name, used by nodes[].rack.',
    'spec.fabric.racks[].cidr': 'The rack subnet, e.g. 172.30.1.0/24.',
    'spec.fabric.racks[].router': "The router's address in the rack (default: its first address).",
    'spec.fabric.racks[].tor':
      "The rack's own top-of-rack router at the router address, AS per rack: iBGP with the rack's nodes, eBGP with the spine (the lab router).",
    'spec.fabric.racks[].tor.name': "The ToR's container name (default <rack>-tor).",
    'spec.fabric.racks[].tor.asNumber':
      "The rack's AS: the ToR's and its nodes' (Node spec.bgp.asNumber); not the spine's.",
    'spec.fabric.racks[].tor.exportPodBlocks':
      'Whether the ToR passes the pod blocks it learns from its nodes to the spine (default true).',
    'spec.fabric.ipv6Cidr':
      'Runs the lab dual-stack: the IPv6 fabric subnet, e.g. 2001:db8:30::/64 (nodes, router and hosts get IPv6 addresses).',
    'spec.router.ipv6Address':
      "The router's IPv6 address on the fabric (default: its first address).",
    'spec.nodes[].ipv6Address':
      "The node's IPv6 address on the fabric (default: the next free one).",
    'spec.hosts[].ipv6Address':
      "The host's IPv6 address with its prefix length, e.g. 2001:db8:113::10/64.",
    'spec.hosts[].ipv6Gateway': "The host's IPv6 gateway (default: the router).",
    'spec.expect[].ipVersion': '6 to check the flow over IPv6 (the IPv6 addresses); default 4.',
    'spec.cni': "Calico's CNI plugin configuration (its ipam section).",
    'spec.cni.assignIpv4':
      'false: pods get an IPv6 address only (the CNI\'s "assign_ipv4": "false"), an IPv6-only lab; needs fabric.ipv6Cidr and an IPv6 IPPool.',
    'spec.router': 'The BGP router (BIRD) between the nodes and the outside hosts.',
    'spec.router.name': 'The router container name.',
    'spec.router.address': "The router's address on the fabric.",
    'spec.router.asNumber': "The router's BGP AS number.",
    'spec.nodes': 'The Kubernetes nodes, each a container running the Calico dataplane.',
    'spec.nodes[].name': 'The node name (Calico node selectors and BGPPeer.node use it).',
    'spec.nodes[].address': "The node's address on the fabric.",
    'spec.nodes[].labels': 'Node labels, matched by IPPool and BGPPeer nodeSelector.',
    'spec.nodes[].extraAddresses': 'Further addresses on the node (e.g. a second interface).',
    'spec.nodes[].rack': 'The rack the node sits in (default: the first rack).',
    'spec.pods': 'Pods, each a network namespace on its node with an address from a pool.',
    'spec.pods[].name': 'The pod name.',
    'spec.pods[].node': 'The node the pod runs on.',
    'spec.pods[].namespace': 'The Kubernetes namespace (default: default).',
    'spec.pods[].labels': 'Pod labels.',
    'spec.pods[].annotations':
      'Pod annotations, e.g. cni.projectcalico.org/ipv4pools to choose a pool, or cni.projectcalico.org/ipAddrs to get one exact address.',
    'spec.hosts': 'Hosts outside the cluster, reached through the router.',
    'spec.hosts[].name': 'The host name.',
    'spec.hosts[].address': "The host's address with its prefix length, e.g. 203.0.113.10/24.",
    'spec.hosts[].gateway': "The host's gateway (default: the router).",
    'spec.hosts[].tcpPorts': 'TCP ports the host listens on.',
    'spec.hosts[].udpPorts': 'UDP ports the host listens on.',
    'spec.expect': 'Flows the lab checks: who the destination sees and whether a reply comes back.',
    'spec.expect[].from': 'The pod or host the flow starts at.',
    'spec.expect[].to': 'The pod or host the flow goes to.',
    'spec.expect[].protocol': 'icmp (default), tcp or udp.',
    'spec.expect[].port': 'The destination port for tcp and udp.',
    'spec.expect[].seenAs': 'The source address the destination sees.',
    'spec.expect[].reply': 'Whether a reply gets back to the sender.',
  },
  IPPool: {
    '': 'A Calico IP pool: where pod addresses come from and whether they are NATed outgoing.',
    'spec.cidr': 'The pool range, e.g. 192.168.0.0/16.',
    'spec.blockSize': 'The prefix length of the blocks handed to nodes (default 26).',
    'spec.natOutgoing':
      "Masquerade traffic from the pool's pods to destinations outside every pool.",
    'spec.disabled': 'No new addresses are allocated from a disabled pool.',
    'spec.disableBGPExport': "Do not advertise the pool's routes over BGP.",
    'spec.ipipMode': 'IP-in-IP encapsulation: Always, CrossSubnet or Never.',
    'spec.vxlanMode': 'VXLAN encapsulation: Always, CrossSubnet or Never.',
    'spec.nodeSelector': 'Which nodes allocate from the pool, e.g. zone == "a" or all().',
    'spec.allowedUses': 'Workload, Tunnel and/or LoadBalancer.',
    'spec.assignmentMode': 'Automatic or Manual (only on request, by annotation).',
  },
  BGPConfiguration: {
    '': 'Cluster-wide (name default) or per-node BGP settings.',
    'spec.asNumber': 'The AS number of the nodes (default 64512).',
    'spec.nodeToNodeMeshEnabled': 'Whether every node peers with every other node.',
    'spec.logSeverityScreen': 'BIRD log level.',
    'spec.listenPort': 'The BGP port (default 179).',
  },
  BGPPeer: {
    '': 'A BGP session from nodes to a peer, e.g. the router.',
    'spec.node': 'The node that peers (default: every node, or those of nodeSelector).',
    'spec.nodeSelector': 'The nodes that peer.',
    'spec.peerIP': "The peer's address.",
    'spec.asNumber': "The peer's AS number.",
    'spec.peerSelector': 'Peer with the nodes this selector matches.',
    'spec.keepOriginalNextHop': 'Keep the next hop of routes sent to the peer.',
    'spec.sourceAddress': 'UseNodeIP or None.',
  },
  FelixConfiguration: {
    '': "Felix's settings (name default, or node.<name>); the NAT fields are modelled.",
    'spec.natOutgoingAddress': 'SNAT to this address instead of masquerading.',
    'spec.iptablesNATOutgoingInterfaceFilter': 'Only NAT traffic leaving by this interface.',
    'spec.natPortRange': 'The source port range for NAT, e.g. 32768:65535.',
    'spec.natOutgoingExclusions':
      'IPPoolsOnly (default) or IPPoolsAndHostIPs: which destinations are not NATed.',
    'spec.ipv6Support':
      'false: Felix programs no IPv6 sets or NAT on the nodes (pods still get IPv6 addresses).',
  },
};

// Values the Calico checks (src/core/calico) accept for string fields, so editors can offer them.
const ENUMS: Record<string, Record<string, readonly string[]>> = {
  IPPool: {
    'spec.ipipMode': ['Always', 'CrossSubnet', 'Never'],
    'spec.vxlanMode': ['Always', 'CrossSubnet', 'Never'],
    'spec.assignmentMode': ['Automatic', 'Manual'],
    'spec.allowedUses[]': ['Workload', 'Tunnel', 'LoadBalancer'],
  },
  BGPConfiguration: {
    'spec.logSeverityScreen': ['Trace', 'Debug', 'Info', 'Warning', 'Error', 'Fatal'],
  },
  BGPPeer: { 'spec.sourceAddress': ['UseNodeIP', 'None'] },
  FelixConfiguration: { 'spec.natOutgoingExclusions': ['IPPoolsOnly', 'IPPoolsAndHostIPs'] },
};

function toJson(schema: z.ZodType): JsonSchema {
  // io: 'input' describes what a file may hold (before defaults/transforms); 'any' lets a
  // refinement or transform JSON Schema cannot express through instead of throwing.
  const out = z.toJSONSchema(schema, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  delete out.$schema;
  return out;
}

function isObject(v: unknown): v is JsonSchema {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The sub-schema at a dotted path (`a.b[].c`), looking through optional wrappers. */
function at(schema: JsonSchema, path: string): JsonSchema | undefined {
  if (path === '') return schema;
  let cur: JsonSchema | undefined = schema;
  for (const part of path.split('.')) {
    const [key, ...items] = part.split('[]');
    cur = isObject(cur?.properties) ? (cur.properties[key!] as JsonSchema | undefined) : undefined;
    for (let i = 0; i < items.length && cur; i++) {
      cur = isObject(cur.items) ? cur.items : undefined;
    }
    if (!cur) return undefined;
  }
  return cur;
}

function annotate(kind: string, schema: JsonSchema): JsonSchema {
  for (const [path, text] of Object.entries(DESCRIPTIONS[kind] ?? {})) {
    const s = at(schema, path);
    if (s && s.description === undefined) s.description = text;
  }
  for (const [path, values] of Object.entries(ENUMS[kind] ?? {})) {
    const s = at(schema, path);
    // Calico takes an empty string as "the default" wherever it takes one of these values.
    if (s && s.type === 'string' && s.enum === undefined) s.enum = [...values, ''];
  }
  return schema;
}

function calicoResource(kind: CalicoKind): JsonSchema {
  const schema = toJson(resourceSchemas[kind]);
  // The zod schema takes any string; the loader then accepts only Calico's API groups.
  const props = schema.properties as JsonSchema;
  props.apiVersion = { type: 'string', enum: [...CALICO_API_VERSIONS] };
  // Kubernetes' NetworkPolicy: its own API group (the kind is NetworkPolicy, as Calico's).
  if (kind === K8S_NETWORK_POLICY)
    props.apiVersion = { type: 'string', enum: [K8S_NETWORKING_API] };
  // List items may omit apiVersion (and, in a typed list, kind): the document-level and item
  // references below require what their place requires.
  schema.required = (schema.required as string[] | undefined)?.filter(
    (r) => r !== 'apiVersion' && r !== 'kind',
  );
  return annotate(kind, schema);
}

const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });
// draft-07 ignores keywords next to $ref, hence allOf.
const requiring = (name: string, required: string[]): JsonSchema => ({
  allOf: [ref(name)],
  required,
});

/** `List` holds any Calico kind; `IPPoolList` and the like one kind, whose items may omit it. */
function listSchema(itemKind?: CalicoKind): JsonSchema {
  const schema = toJson(listResource);
  const props = schema.properties as JsonSchema;
  props.kind = { type: 'string', const: itemKind ? `${itemKind}List` : 'List' };
  props.items = {
    type: 'array',
    items: itemKind ? ref(itemKind) : { oneOf: CALICO_KINDS.map((k) => requiring(k, ['kind'])) },
  };
  schema.description = itemKind
    ? `A list of ${itemKind} resources, as calicoctl get -o yaml prints it.`
    : 'A list of Calico resources, as kubectl or calicoctl get -o yaml prints it.';
  return schema;
}

/** The JSON Schema (draft-07) of one document of a lab file. */
export function labFileJsonSchema(): JsonSchema {
  const definitions: Record<string, JsonSchema> = {
    Lab: annotate('Lab', toJson(labDocument)),
  };
  for (const kind of CALICO_KINDS) definitions[kind] = calicoResource(kind);
  definitions.List = listSchema();
  for (const kind of CALICO_KINDS)
    if (kind !== K8S_NETWORK_POLICY) definitions[`${kind}List`] = listSchema(kind);

  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Egress Lab lab file',
    description:
      'One document of an egress-lab file: the Lab document first, then Calico resources (IPPool, BGPConfiguration, BGPPeer, FelixConfiguration, or a List of them).',
    oneOf: Object.keys(definitions).map((k) =>
      (CALICO_KINDS as readonly string[]).includes(k)
        ? requiring(k, ['apiVersion', 'kind'])
        : ref(k),
    ),
    definitions,
  };
}

/** Annotated paths the zod schemas no longer have (renamed or removed fields): kept empty by a test. */
export function staleAnnotations(): string[] {
  const defs = labFileJsonSchema().definitions as Record<string, JsonSchema>;
  const stale: string[] = [];
  for (const table of [DESCRIPTIONS, ENUMS]) {
    for (const [kind, paths] of Object.entries(table)) {
      for (const path of Object.keys(paths)) {
        if (!defs[kind] || !at(defs[kind], path)) stale.push(`${kind}: ${path}`);
      }
    }
  }
  return stale;
}

/** The schema as committed in schema/egress-lab.schema.json (before formatting). */
export function labFileJsonSchemaText(): string {
  return JSON.stringify(labFileJsonSchema(), null, 2) + '\n';
}
