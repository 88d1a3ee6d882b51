// The `kind: Lab` document → the validated Lab with every default filled in.
//
// Address rules (IPv4 only; the lab's own addressing):
// - router: the first usable address of the fabric unless given;
// - nodes without an address: the lowest free usable fabric addresses, in node order, after the
//   router's and every address written in the file are taken out;
// - host gateway (the router's side of the host's own segment): the first usable address of the
//   segment other than the host's own; a host written without a prefix gets /24.
import type { Problem } from '../errors.js';
import type { FelixConfiguration } from '../model/calico.js';
import type { Lab, LabExpectation, LabHost, LabNode, LabPod, SeenAs } from '../model/lab.js';
import { DEFAULT_AS_NUMBER, defaultBGPConfiguration, parseASNumber } from '../calico/bgp.js';
import {
  cidrContains,
  cidrsOverlap,
  cidrToString,
  numberToV4,
  parseCidr,
  parseIP,
  sameIP,
  v4ToNumber,
  v4UsableRange,
  type Cidr,
} from '../calico/cidr.js';
import type { FieldPath } from '../calico/field-error.js';
import { defaultFelixConfiguration } from '../calico/felix.js';
import { defaultIPv4Pool } from '../calico/ippool.js';
import {
  dns1123LabelProblems,
  labelValueProblems,
  qualifiedNameProblems,
} from '../calico/names.js';
import {
  HOSTNAME_LABEL,
  IPV4POOLS_ANNOTATION,
  parseIPv4PoolsAnnotation,
} from '../calico/pool-choice.js';
import type { Entry } from './entries.js';
import type { ResourceSet } from './resources.js';
import { labDocument, type LabDocument } from './schemas.js';
import type { SourceIndex } from './source-index.js';
import { parseCollecting, zodIssuesToProblems } from './zod-problems.js';

export const DEFAULT_CALICO_VERSION = 'v3.30';
export const DEFAULT_FABRIC_CIDR = '172.30.0.0/24';
export const DEFAULT_ROUTER_NAME = 'tor';
export const DEFAULT_ROUTER_AS = 64500;
export const DEFAULT_TCP_PORTS = [8080];
export const DEFAULT_UDP_PORTS = [8081];

/** calicoVersion as [major, minor, patch]; patch 0 when absent. */
export function parseCalicoVersion(v: string): [number, number, number] | undefined {
  const m = /^v(3)\.([0-9]{1,2})(?:\.([0-9]{1,3}))?$/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export interface BuiltLab {
  lab?: Lab;
  /** True when the file had no IPPool and calico-node's default pool was used. */
  autoPool: boolean;
  problems: Problem[];
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
  if (parsed.data === undefined) return { autoPool: false, problems };
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
  if (!version)
    P(
      ['spec', 'calicoVersion'],
      `calicoVersion must look like "v3.30" or "v3.31.7", got ${JSON.stringify(calicoVersion)}`,
    );

  // --- names: router, nodes, pods and hosts become container names, one namespace ---
  const names = new Map<string, string>();
  const claimName = (name: string, what: string, path: FieldPath) => {
    const bad = dns1123LabelProblems(name);
    for (const p of bad) P(path, `${what} name ${JSON.stringify(name)} ${p}`);
    if (bad.length > 0) return;
    const prior = names.get(name);
    if (prior) {
      P(
        path,
        `name ${JSON.stringify(name)} is already used by ${prior}; the router, nodes, pods and hosts share one namespace (they become container names)`,
      );
    } else names.set(name, `${what} ${name}`);
  };

  // --- fabric ---
  const fabricText = spec.fabric?.cidr ?? DEFAULT_FABRIC_CIDR;
  const fabric = parseCidr(fabricText);
  let fabricOk = false;
  if (!fabric || fabric.version !== 4) {
    P(
      ['spec', 'fabric', 'cidr'],
      `fabric.cidr must be an IPv4 CIDR like "172.30.0.0/24", got ${JSON.stringify(fabricText)}`,
    );
  } else if (!sameIP(fabric.ip, fabric.network)) {
    P(
      ['spec', 'fabric', 'cidr'],
      `fabric.cidr ${fabricText} is not strictly masked (did you mean ${cidrToString(fabric)}?)`,
    );
  } else if (fabric.prefix > 29) {
    P(
      ['spec', 'fabric', 'cidr'],
      `fabric.cidr ${fabricText} is too small: use /29 or larger for the router and the nodes`,
    );
  } else fabricOk = true;
  const fabricCidr = fabric ? cidrToString(fabric) : fabricText;
  const usable = fabricOk ? v4UsableRange(fabric!) : { first: 0, last: -1 };

  // Addresses on the fabric, one owner each.
  const taken = new Map<number, string>();
  const fabricAddress = (text: string, path: FieldPath, owner: string): number | undefined => {
    const ip = parseIP(text);
    if (!ip || ip.kind() !== 'ipv4') {
      const hint = parseCidr(text)
        ? ' (write the address without a prefix length; the fabric prefix applies)'
        : '';
      P(path, `expected an IPv4 address like "172.30.0.11", got ${JSON.stringify(text)}${hint}`);
      return undefined;
    }
    if (!fabricOk) return undefined;
    if (!cidrContains(fabric!, ip)) {
      P(path, `address ${text} is outside the fabric ${fabricCidr}`);
      return undefined;
    }
    const n = v4ToNumber(ip as Parameters<typeof v4ToNumber>[0]);
    if (n < usable.first || n > usable.last) {
      P(
        path,
        `address ${text} is the ${n < usable.first ? 'network' : 'broadcast'} address of the fabric ${fabricCidr}`,
      );
      return undefined;
    }
    const prior = taken.get(n);
    if (prior) {
      P(path, `address ${text} is already used by ${prior}`);
      return undefined;
    }
    taken.set(n, owner);
    return n;
  };

  // --- router ---
  const routerName = spec.router?.name ?? DEFAULT_ROUTER_NAME;
  claimName(
    routerName,
    'router',
    spec.router?.name !== undefined ? ['spec', 'router', 'name'] : ['spec'],
  );
  let routerAddr: number | undefined;
  if (spec.router?.address !== undefined) {
    routerAddr = fabricAddress(
      spec.router.address,
      ['spec', 'router', 'address'],
      `router ${routerName}`,
    );
  } else if (fabricOk) {
    routerAddr = usable.first;
    taken.set(routerAddr, `router ${routerName}`);
  }
  let routerAS = DEFAULT_ROUTER_AS;
  if (spec.router?.asNumber !== undefined) {
    const n = parseASNumber(spec.router.asNumber);
    if (n === undefined || n === 0)
      P(
        ['spec', 'router', 'asNumber'],
        `asNumber must be an AS number (1-4294967295), got ${JSON.stringify(spec.router.asNumber)}`,
      );
    else routerAS = n;
  }

  // --- nodes: names, labels, written addresses first ---
  const nodeAddrs: (number | undefined)[] = [];
  const nodes: LabNode[] = spec.nodes.map((n, i) => {
    const path: FieldPath = ['spec', 'nodes', i];
    claimName(n.name, 'node', [...path, 'name']);
    const labels = { ...(n.labels ?? {}) };
    for (const [k, v] of Object.entries(labels)) {
      for (const p of qualifiedNameProblems(k))
        P([...path, 'labels', k], `label key ${JSON.stringify(k)}: ${p}`, 'key');
      for (const p of labelValueProblems(v))
        P([...path, 'labels', k], `label value ${JSON.stringify(v)}: ${p}`);
    }
    if (labels[HOSTNAME_LABEL] !== undefined && labels[HOSTNAME_LABEL] !== n.name) {
      P(
        [...path, 'labels', HOSTNAME_LABEL],
        `label ${HOSTNAME_LABEL} is always the node's name (${n.name})`,
      );
    }
    labels[HOSTNAME_LABEL] = n.name;
    nodeAddrs[i] =
      n.address !== undefined
        ? fabricAddress(n.address, [...path, 'address'], `node ${n.name}`)
        : undefined;
    const extraAddresses: string[] = [];
    (n.extraAddresses ?? []).forEach((x, j) => {
      const v = fabricAddress(x, [...path, 'extraAddresses', j], `node ${n.name}`);
      if (v !== undefined) extraAddresses.push(numberToV4(v).toString());
    });
    return { name: n.name, address: '', labels, extraAddresses };
  });
  // Then the lowest free addresses for nodes without one.
  let next = usable.first;
  nodes.forEach((node, i) => {
    let n = nodeAddrs[i];
    if (n === undefined && spec.nodes[i]!.address === undefined && fabricOk) {
      while (next <= usable.last && taken.has(next)) next++;
      if (next > usable.last) {
        P(
          ['spec', 'nodes', i],
          `the fabric ${fabricCidr} has no free address left for node ${node.name}`,
        );
      } else {
        n = next;
        taken.set(n, `node ${node.name}`);
      }
    }
    if (n !== undefined) node.address = numberToV4(n).toString();
  });

  // --- pods ---
  const nodeNames = new Set(nodes.map((n) => n.name));
  const pods: LabPod[] = (spec.pods ?? []).map((p, i) => {
    const path: FieldPath = ['spec', 'pods', i];
    claimName(p.name, 'pod', [...path, 'name']);
    if (!nodeNames.has(p.node)) {
      P(
        [...path, 'node'],
        `pod ${p.name} is on node ${JSON.stringify(p.node)}, which is not a node of this lab (nodes: ${[...nodeNames].join(', ')})`,
      );
    }
    const namespace = p.namespace ?? 'default';
    for (const msg of dns1123LabelProblems(namespace))
      P([...path, 'namespace'], `namespace ${JSON.stringify(namespace)} ${msg}`);
    const labels = { ...(p.labels ?? {}) };
    for (const [k, v] of Object.entries(labels)) {
      for (const m of qualifiedNameProblems(k))
        P([...path, 'labels', k], `label key ${JSON.stringify(k)}: ${m}`, 'key');
      for (const m of labelValueProblems(v))
        P([...path, 'labels', k], `label value ${JSON.stringify(v)}: ${m}`);
    }
    const annotations = { ...(p.annotations ?? {}) };
    for (const k of Object.keys(annotations)) {
      for (const m of qualifiedNameProblems(k.toLowerCase()))
        P([...path, 'annotations', k], `annotation key ${JSON.stringify(k)}: ${m}`, 'key');
    }
    const pools = annotations[IPV4POOLS_ANNOTATION];
    if (pools !== undefined) {
      const r = parseIPv4PoolsAnnotation(pools);
      if (!Array.isArray(r)) P([...path, 'annotations', IPV4POOLS_ANNOTATION], r.error);
    }
    return { name: p.name, node: p.node, namespace, labels, annotations };
  });

  // --- hosts: each on its own segment behind the router ---
  const segments: { cidr: Cidr; host: string }[] = [];
  const hosts: LabHost[] = [];
  (spec.hosts ?? []).forEach((h, i) => {
    const path: FieldPath = ['spec', 'hosts', i];
    claimName(h.name, 'host', [...path, 'name']);
    const withPrefix = h.address.includes('/') ? h.address : `${h.address}/24`;
    const seg = parseCidr(withPrefix);
    if (!seg || seg.version !== 4) {
      P(
        [...path, 'address'],
        `expected an IPv4 address with its segment's prefix, like "203.0.113.10/24", got ${JSON.stringify(h.address)}`,
      );
      return;
    }
    if (seg.prefix > 31) {
      P(
        [...path, 'address'],
        `host ${h.name} needs a segment of at least 2 addresses (/31 or shorter) for itself and the router's gateway address`,
      );
      return;
    }
    const range = v4UsableRange(seg);
    const self = v4ToNumber(seg.ip as Parameters<typeof v4ToNumber>[0]);
    if (self < range.first || self > range.last) {
      P(
        [...path, 'address'],
        `address ${seg.ip.toString()} is the ${self < range.first ? 'network' : 'broadcast'} address of its segment ${cidrToString(seg)}`,
      );
      return;
    }
    let ok = true;
    if (fabricOk && cidrsOverlap(seg, fabric!)) {
      P(
        [...path, 'address'],
        `host segment ${cidrToString(seg)} overlaps the fabric ${fabricCidr}`,
      );
      ok = false;
    }
    for (const other of segments) {
      if (cidrsOverlap(other.cidr, seg)) {
        P(
          [...path, 'address'],
          `host segment ${cidrToString(seg)} overlaps host ${other.host}'s segment ${cidrToString(other.cidr)}; each host has its own segment behind the router`,
        );
        ok = false;
      }
    }
    let gateway: number | undefined;
    if (h.gateway !== undefined) {
      const g = parseIP(h.gateway);
      if (!g || g.kind() !== 'ipv4')
        P([...path, 'gateway'], `expected an IPv4 address, got ${JSON.stringify(h.gateway)}`);
      else if (!cidrContains(seg, g))
        P(
          [...path, 'gateway'],
          `gateway ${h.gateway} is outside the host's segment ${cidrToString(seg)}`,
        );
      else {
        const gn = v4ToNumber(g as Parameters<typeof v4ToNumber>[0]);
        if (gn === self) P([...path, 'gateway'], `gateway ${h.gateway} is the host's own address`);
        else if (gn < range.first || gn > range.last)
          P(
            [...path, 'gateway'],
            `gateway ${h.gateway} is the network or broadcast address of ${cidrToString(seg)}`,
          );
        else gateway = gn;
      }
    } else {
      gateway = range.first === self ? range.first + 1 : range.first;
    }
    const ports = (key: 'tcpPorts' | 'udpPorts', dflt: number[]) => {
      const list = h[key] ?? dflt;
      list.forEach((port, j) => {
        if (list.indexOf(port) !== j) P([...path, key, j], `port ${port} is listed twice`);
      });
      return [...new Set(list)];
    };
    const tcpPorts = ports('tcpPorts', DEFAULT_TCP_PORTS);
    const udpPorts = ports('udpPorts', DEFAULT_UDP_PORTS);
    segments.push({ cidr: seg, host: h.name });
    if (!ok || gateway === undefined) return;
    hosts.push({
      name: h.name,
      address: seg.ip.toString(),
      prefixLength: seg.prefix,
      gateway: numberToV4(gateway).toString(),
      tcpPorts,
      udpPorts,
    });
  });

  // --- expectations ---
  const podNames = new Set(pods.map((p) => p.name));
  const hostByName = new Map(hosts.map((h) => [h.name, h]));
  const hostNames = new Set((spec.hosts ?? []).map((h) => h.name));
  const expect: LabExpectation[] = [];
  (spec.expect ?? []).forEach((x, i) => {
    const path: FieldPath = ['spec', 'expect', i];
    let ok = true;
    // Inbound (External connectivity over BGP): a host pings a pod; pods run no TCP/UDP servers.
    const inbound = hostNames.has(x.from) && !podNames.has(x.from);
    if (inbound) {
      if (!podNames.has(x.to)) {
        P([...path, 'to'], `from host ${x.from}, to must name a pod of this lab`);
        ok = false;
      }
      if ((x.protocol ?? 'icmp') !== 'icmp') {
        P([...path, 'protocol'], 'from a host only icmp is checked: pods run no TCP/UDP servers');
        ok = false;
      }
    } else if (!podNames.has(x.from)) {
      P(
        [...path, 'from'],
        `from: ${JSON.stringify(x.from)} is not a pod of this lab (pods: ${[...podNames].join(', ') || 'none'})`,
      );
      ok = false;
    }
    const toIP = parseIP(x.to);
    if (!podNames.has(x.to) && !hostNames.has(x.to)) {
      if (!toIP || toIP.kind() !== 'ipv4') {
        P(
          [...path, 'to'],
          `to: ${JSON.stringify(x.to)} is neither a pod, a host of this lab nor an IPv4 address`,
        );
        ok = false;
      }
    }
    const protocol = x.protocol ?? 'icmp';
    let port: number | undefined;
    if (protocol === 'icmp') {
      if (x.port !== undefined) {
        P([...path, 'port'], 'port applies to tcp and udp only (protocol is icmp)');
        ok = false;
      }
    } else {
      const host = hostByName.get(x.to);
      const listening = host ? (protocol === 'tcp' ? host.tcpPorts : host.udpPorts) : undefined;
      port =
        x.port ??
        listening?.[0] ??
        (protocol === 'tcp' ? DEFAULT_TCP_PORTS[0] : DEFAULT_UDP_PORTS[0]);
      if (host && listening && x.port !== undefined && !listening.includes(x.port)) {
        P(
          [...path, 'port'],
          `host ${host.name} does not listen on ${protocol}/${x.port} (${protocol}Ports: ${listening.join(', ') || 'none'})`,
        );
        ok = false;
      }
    }
    let seenAs: SeenAs | undefined;
    if (x.seenAs === 'node' || x.seenAs === 'pod') seenAs = x.seenAs;
    else {
      const ip = parseIP(x.seenAs);
      if (ip && ip.kind() === 'ipv4') seenAs = { address: ip.toString() };
      else {
        P(
          [...path, 'seenAs'],
          `seenAs must be "node", "pod" or an IPv4 address, got ${JSON.stringify(x.seenAs)}`,
        );
        ok = false;
      }
    }
    if (!ok || seenAs === undefined) return;
    const e: LabExpectation = {
      from: x.from,
      to: toIP && !podNames.has(x.to) && !hostNames.has(x.to) ? toIP.toString() : x.to,
      protocol,
      seenAs,
      reply: x.reply,
    };
    if (port !== undefined) e.port = port;
    expect.push(e);
  });

  // --- Calico resources ---
  const autoPool = resources.ipPools.length === 0;
  const ipPools = autoPool ? [defaultIPv4Pool()] : resources.ipPools;

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

  let felixConfiguration = defaultFelixConfiguration();
  const felixNodeConfigurations: FelixConfiguration[] = [];
  for (const c of resources.felixConfigurations) {
    if (c.name === 'default') felixConfiguration = c;
    else if (c.name.startsWith('node.') && nodeNames.has(c.name.slice(5)))
      felixNodeConfigurations.push(c);
    else {
      problems.push(
        index.problem(
          'FelixConfiguration',
          c.name,
          ['metadata', 'name'],
          `a FelixConfiguration is named "default" or "node.<node name>" (nodes: ${[...nodeNames].join(', ')})`,
        ),
      );
    }
    if (c.spec.natOutgoingExclusions !== undefined && version && version[1] < 31) {
      problems.push(
        index.problem(
          'FelixConfiguration',
          c.name,
          ['spec', 'natOutgoingExclusions'],
          `natOutgoingExclusions exists from Calico v3.31; this lab is ${calicoVersion} (set spec.calicoVersion in the Lab)`,
        ),
      );
    }
  }

  if (problems.length > 0) return { autoPool, problems };
  const lab: Lab = {
    name: labName,
    description: d.metadata.description ?? '',
    docs: d.metadata.docs ?? '',
    calicoVersion,
    fabric: { cidr: fabricCidr },
    router: { name: routerName, address: numberToV4(routerAddr!).toString(), asNumber: routerAS },
    nodes,
    pods,
    hosts,
    expect,
    notes: d.metadata.notes ?? '',
    ipPools,
    bgpConfiguration,
    bgpPeers: resources.bgpPeers,
    felixConfiguration,
  };
  if (felixNodeConfigurations.length > 0) lab.felixNodeConfigurations = felixNodeConfigurations;
  return { lab, autoPool, problems };
}
