// `egress-lab import`: a lab built around a customer's Calico resources (`calicoctl get ippool
// -o yaml`, plus FelixConfiguration, BGPConfiguration and BGPPeer when given). Pure and
// deterministic: the same files give the same lab text.
//
// What gets built:
// - nodes: those the resources name (BGPPeer spec.node, FelixConfiguration node.<name>), then
//   as few more as it takes for every enabled pool's nodeSelector (and every BGPPeer's) to select
//   a node, with labels that satisfy it;
// - pods: one per enabled IPv4 pool that serves workloads, pinned to it with the
//   cni.projectcalico.org/ipv4pools annotation and placed on a node the pool selects;
// - hosts: an internet host in a documentation range, and a host inside each disabled pool;
// - the router: at the address the customer's BGPPeers point at when that fits (so the peers
//   stay as given), else on a fabric clear of every pool; peers pointing elsewhere are mapped
//   onto the router and reported;
// - expect entries: what explain says for each pod towards each host (and the other pods).
import { Document, isMap, isSeq, type YAMLMap } from 'yaml';
import { LabInputError } from '../errors.js';
import { peerIPAddress } from '../calico/bgp.js';
import { defaultIPv4Pool } from '../calico/ippool.js';
import { HOSTNAME_LABEL, IPV4POOLS_ANNOTATION } from '../calico/pool-choice.js';
import { matchesSelector } from '../calico/selector.js';
import { explain } from '../explain/explain.js';
import { intToIp, isIPv4, parseCidr4 } from '../net/cidr.js';
import { collectEntries } from '../lab-file/entries.js';
import { loadLab, loadResources } from '../lab-file/load.js';
import { parseSources, type LabSource } from '../lab-file/source.js';
import type { BGPPeer, IPPool } from '../model/calico.js';
import type { Lab } from '../model/lab.js';
import { isDns1123Label } from '../calico/names.js';
import { planLab } from '../plan/plan-lab.js';
import {
  FABRIC_CANDIDATES,
  INTERNET_CANDIDATES,
  firstFree,
  overlapsAny,
  segmentInside,
  slash24Of,
  usableIn24,
} from './addresses.js';
import { labelsSatisfying } from './selector-labels.js';

export interface ImportOptions {
  /** The lab's name (a DNS label); default "imported". */
  name?: string;
}

export interface ImportResult {
  /** The lab file: the Lab document, then the customer's resources. */
  text: string;
  /** The same lab, loaded (what `up` will build). */
  lab: Lab;
  /** What was decided and what could not be kept as given, one line each. */
  report: string[];
}

const DEFAULT_ROUTER_AS = 64500;

interface NodeDraft {
  name: string;
  labels: Record<string, string>;
  /** Selectors this node was chosen to satisfy: later label changes must keep them true. */
  serves: string[];
}

/** A DNS label made from a Calico name (pool names may hold dots and be long). */
export function dnsLabel(text: string, max = 40): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, max)
    .replace(/-$/, '');
  return s || 'x';
}

function fail(message: string, file?: string): never {
  throw new LabInputError([
    { ...(file ? { position: { file, line: 1, col: 1 } } : {}), message: `import: ${message}` },
  ]);
}

function isV4Pool(p: IPPool): boolean {
  return !p.spec.cidr.includes(':');
}

function servesWorkloads(p: IPPool): boolean {
  return !p.spec.disabled && isV4Pool(p) && p.spec.allowedUses.includes('Workload');
}

/** The customer's resources as written (list items unpacked), in file order. */
function rawResources(
  sources: readonly LabSource[],
): { value: Record<string, unknown>; file: string }[] {
  const parsed = parseSources(sources);
  const { entries } = collectEntries(parsed.documents);
  return entries
    .filter((e) => e.kind !== 'Lab')
    .map((e) => ({ value: structuredClone(e.value), file: e.pd.file }));
}

function nameOfRaw(v: Record<string, unknown>): string {
  const md = v.metadata as { name?: unknown } | undefined;
  return typeof md?.name === 'string' ? md.name : '';
}

export function importLab(sources: readonly LabSource[], opts: ImportOptions = {}): ImportResult {
  if (sources.length === 0) fail('give at least one file of Calico resources');
  const loaded = loadResources(sources); // invalid resources: LabInputError with positions
  if (loaded.lab) {
    fail(
      'this is already a lab file (it has a Lab document): start it with `egress-lab up`',
      sources[0]!.file,
    );
  }
  const report: string[] = [];
  const labName = opts.name ?? 'imported';
  // With no IPPool the lab, like calico-node, runs with the auto-created default pool.
  const pools = loaded.ipPools.length ? loaded.ipPools : [defaultIPv4Pool()];
  if (loaded.ipPools.length === 0)
    report.push("no IPPool given: the lab uses calico-node's auto-created default-ipv4-ippool");
  const v4Cidrs = pools.filter(isV4Pool).map((p) => p.spec.cidr);
  const enabledV4 = pools.filter((p) => isV4Pool(p) && !p.spec.disabled).map((p) => p.spec.cidr);
  for (const p of pools.filter((x) => !isV4Pool(x)))
    report.push(`IPPool(${p.name}) ${p.spec.cidr} is IPv6: kept, but the lab runs IPv4 only`);
  for (const p of pools.filter(
    (x) => isV4Pool(x) && (x.spec.ipipMode !== 'Never' || x.spec.vxlanMode !== 'Never'),
  ))
    report.push(
      `IPPool(${p.name}) uses ${p.spec.ipipMode !== 'Never' ? `ipipMode ${p.spec.ipipMode}` : `vxlanMode ${p.spec.vxlanMode}`}: kept, but the lab routes without tunnels (NAT behaves the same)`,
    );

  const clusterAS =
    loaded.bgpConfigurations.find((c) => c.name === 'default')?.spec.asNumber ?? 64512;

  // --- router and fabric: where the customer's peers point, when that fits ---
  let router: { address: string; asNumber: number } | undefined;
  let fabric: string | undefined;
  for (const peer of loaded.bgpPeers) {
    const ip = peer.spec.peerIP ? peerIPAddress(peer.spec.peerIP) : undefined;
    if (!ip || !isIPv4(ip) || !usableIn24(ip)) continue;
    const seg = slash24Of(ip);
    // Inside a disabled pool is fine (nodes in a no-NAT range, as at the customer's); inside an
    // enabled one the router would take a pod address.
    if (overlapsAny(seg, enabledV4)) continue;
    router = { address: ip, asNumber: peer.spec.asNumber };
    fabric = seg;
    report.push(
      `router tor takes ${ip} (AS ${peer.spec.asNumber}), the address BGPPeer(${peer.name}) points at; the fabric is ${seg}`,
    );
    break;
  }
  if (!fabric) {
    fabric = firstFree(FABRIC_CANDIDATES, v4Cidrs);
    if (!fabric)
      fail(`no fabric range is clear of the pools (tried ${FABRIC_CANDIDATES.join(', ')})`);
    const asNumber = clusterAS === DEFAULT_ROUTER_AS ? 65000 : DEFAULT_ROUTER_AS;
    router = { address: intToIp((parseCidr4(fabric).base + 1) >>> 0), asNumber };
  }
  const routerAddr = router!.address;

  // --- BGPPeers: kept when they point at the router; otherwise mapped onto it ---
  const peerRewrites = new Map<string, { peerIP: string; asNumber: number }>();
  const droppedPeers = new Set<string>();
  for (const peer of loaded.bgpPeers) {
    if (!peer.spec.peerIP) continue; // peerSelector (node-to-node) peers stay as they are
    const ip = peerIPAddress(peer.spec.peerIP);
    if (!ip || !isIPv4(ip)) {
      droppedPeers.add(peer.name);
      report.push(
        `BGPPeer(${peer.name}) peers with ${peer.spec.peerIP} (IPv6): left out, the lab runs IPv4 only`,
      );
      continue;
    }
    if (ip === routerAddr && peer.spec.asNumber === router!.asNumber) continue;
    peerRewrites.set(peer.name, { peerIP: routerAddr, asNumber: router!.asNumber });
    report.push(
      `BGPPeer(${peer.name}) points at ${peer.spec.peerIP} (AS ${peer.spec.asNumber}), which nothing in the lab answers: mapped onto the router (${routerAddr}, AS ${router!.asNumber})`,
    );
  }

  // --- nodes: the ones the resources name, then enough for every selector ---
  const nodes: NodeDraft[] = [];
  const addNode = (name: string, labels: Record<string, string> = {}): NodeDraft => {
    const n: NodeDraft = { name, labels, serves: [] };
    nodes.push(n);
    return n;
  };
  // Customer node names may be DNS subdomains (ip-10-0-1-5.ec2.internal); lab names are labels.
  const renamed = new Map<string, string>();
  const labNodeName = (customer: string): string => {
    if (isDns1123Label(customer)) return customer;
    let name = renamed.get(customer);
    if (!name) {
      name = dnsLabel(customer.split('.')[0]!, 50);
      while ([...renamed.values()].includes(name) || nodes.some((n) => n.name === name))
        name += '-x';
      renamed.set(customer, name);
      report.push(`node ${customer} is called ${name} in the lab (lab names are DNS labels)`);
    }
    return name;
  };
  const named = new Set<string>();
  for (const peer of loaded.bgpPeers) if (peer.spec.node) named.add(labNodeName(peer.spec.node));
  for (const f of loaded.felixConfigurations)
    if (f.name.startsWith('node.')) named.add(labNodeName(f.name.slice(5)));
  for (const n of named) addNode(n);
  let nextIndex = 1;
  const freshName = (): string => {
    for (;;) {
      const name = `node-${nextIndex++}`;
      if (!nodes.some((n) => n.name === name)) return name;
    }
  };
  const selectorLabels = (n: NodeDraft) => ({ ...n.labels, [HOSTNAME_LABEL]: n.name });

  /** A node `selector` selects: an existing one, one given more labels, or a new one. */
  const nodeFor = (selector: string, what: string): NodeDraft | undefined => {
    const hit = nodes.find((n) => matchesSelector(selector, selectorLabels(n)));
    if (hit) return hit;
    for (const n of nodes) {
      const labels = labelsSatisfying(selector, selectorLabels(n));
      if (labels && n.serves.every((s) => matchesSelector(s, labels))) {
        delete labels[HOSTNAME_LABEL];
        n.labels = labels;
        return n;
      }
    }
    const labels = labelsSatisfying(selector);
    if (!labels) {
      report.push(`${what}: nodeSelector "${selector}" selects no node whatever its labels`);
      return undefined;
    }
    const hostname = labels[HOSTNAME_LABEL];
    delete labels[HOSTNAME_LABEL];
    const name = hostname && !nodes.some((n) => n.name === hostname) ? hostname : freshName();
    return addNode(name, labels);
  };

  const podPools = pools.filter(servesWorkloads);
  const podPlan: { pool: IPPool; node: NodeDraft }[] = [];
  for (const pool of podPools) {
    const n = nodeFor(pool.spec.nodeSelector, `IPPool(${pool.name})`);
    if (n) {
      n.serves.push(pool.spec.nodeSelector);
      podPlan.push({ pool, node: n });
    } else {
      // Calico still assigns from it by annotation, bypassing the selector.
      podPlan.push({ pool, node: nodes[0] ?? addNode(freshName()) });
      report.push(
        `IPPool(${pool.name}): its pod is placed by the ipv4pools annotation alone, as Calico allows`,
      );
    }
  }
  for (const peer of loaded.bgpPeers.filter(
    (p: BGPPeer) => p.spec.nodeSelector && !droppedPeers.has(p.name),
  )) {
    const n = nodeFor(peer.spec.nodeSelector!, `BGPPeer(${peer.name})`);
    n?.serves.push(peer.spec.nodeSelector!);
  }
  if (nodes.length === 0) addNode(freshName());
  if (podPools.length === 0)
    report.push('no enabled IPv4 pool serves workloads: the lab has no pods, so nothing to check');

  // --- hosts: the internet, and one inside each disabled pool ---
  const avoid = [...v4Cidrs, fabric];
  const hosts: { name: string; address: string }[] = [];
  const internetSeg = firstFree(INTERNET_CANDIDATES, avoid);
  const used = new Set<string>([...nodes.map((n) => n.name), 'tor']);
  const uniqueName = (base: string): string => {
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    return name;
  };
  if (internetSeg) {
    const address = intToIp((parseCidr4(internetSeg).base + 10) >>> 0);
    hosts.push({ name: uniqueName('internet'), address: `${address}/24` });
    avoid.push(internetSeg);
  } else {
    report.push('every documentation range lies in a pool: no internet host');
  }
  const segmentsTaken = [fabric, ...(internetSeg ? [internetSeg] : [])];
  for (const pool of pools.filter((p) => isV4Pool(p) && p.spec.disabled)) {
    const others = [...enabledV4, ...segmentsTaken];
    const inside = segmentInside(pool.spec.cidr, others);
    if (!inside) {
      report.push(`IPPool(${pool.name}) ${pool.spec.cidr}: no room for a host inside it`);
      continue;
    }
    segmentsTaken.push(inside.segment);
    const prefix = inside.segment.split('/')[1];
    hosts.push({
      name: uniqueName(`in-${dnsLabel(pool.name)}`),
      address: `${inside.host}/${prefix}`,
    });
  }

  // --- pods ---
  const pods = podPlan.map(({ pool, node }) => ({
    name: uniqueName(`pod-${dnsLabel(pool.name)}`),
    node: node.name,
    annotations: { [IPV4POOLS_ANNOTATION]: JSON.stringify([pool.name]) },
  }));

  // --- FelixConfiguration: what the lab cannot show as the customer sees it ---
  let calicoVersion: string | undefined;
  for (const f of loaded.felixConfigurations) {
    if (f.spec.natOutgoingExclusions !== undefined) calicoVersion = 'v3.31';
    const filter = f.spec.iptablesNATOutgoingInterfaceFilter;
    if (
      filter &&
      !(filter === 'eth0' || (filter.endsWith('+') && 'eth0'.startsWith(filter.slice(0, -1))))
    )
      report.push(
        `FelixConfiguration(${f.name}) iptablesNATOutgoingInterfaceFilter "${filter}" does not match the lab's eth0: no pod traffic is NATed (rename your pattern to see NAT)`,
      );
    const addr = f.spec.natOutgoingAddress;
    if (addr)
      report.push(
        `FelixConfiguration(${f.name}) natOutgoingAddress ${addr} is no lab node's address: explain and the capture show it, and replies are lost (give a node that address in extraAddresses to see it work)`,
      );
  }
  if (calicoVersion) report.push('natOutgoingExclusions is set: the lab runs as Calico v3.31');
  const droppedConfigs = new Set<string>();
  for (const c of loaded.bgpConfigurations.filter((x) => x.name !== 'default')) {
    droppedConfigs.add(`BGPConfiguration/${c.name}`);
    report.push(`BGPConfiguration(${c.name}) left out: the lab models only "default"`);
  }

  // --- the lab text, first without expectations, then with what explain says ---
  const labDoc = (expect: Record<string, unknown>[]) => ({
    apiVersion: 'egress-lab/v1',
    kind: 'Lab',
    metadata: {
      name: labName,
      description: `Built around ${sources.map((s) => s.file).join(', ')}`,
      docs: 'egress-lab import',
      notes: [
        'Built by `egress-lab import` from the customer resources below (kept as given unless said here).',
        'Each pod is pinned to one pool; the expect entries are what explain predicts: run `egress-lab check` to see them on the wire.',
        ...report,
      ].join('\n'),
    },
    spec: {
      ...(calicoVersion ? { calicoVersion } : {}),
      fabric: { cidr: fabric },
      router: { name: 'tor', address: routerAddr, asNumber: router!.asNumber },
      nodes: nodes.map((n) => ({
        name: n.name,
        ...(Object.keys(n.labels).length ? { labels: n.labels } : {}),
      })),
      ...(pods.length ? { pods } : {}),
      ...(hosts.length ? { hosts } : {}),
      ...(expect.length ? { expect } : {}),
    },
  });

  const resourcesText = rawResources(sources)
    .filter(({ value }) => {
      const key = `${String(value.kind)}/${nameOfRaw(value)}`;
      return (
        !droppedConfigs.has(key) &&
        !(value.kind === 'BGPPeer' && droppedPeers.has(nameOfRaw(value)))
      );
    })
    .map(({ value, file }) => {
      const name = nameOfRaw(value);
      const rewrite = value.kind === 'BGPPeer' ? peerRewrites.get(name) : undefined;
      let comment = `from ${file}`;
      const spec0 = (value.spec ?? {}) as Record<string, unknown>;
      if (value.kind === 'BGPPeer' && typeof spec0.node === 'string' && renamed.has(spec0.node)) {
        comment += `; node ${spec0.node} is ${renamed.get(spec0.node)} in the lab`;
        value.spec = { ...spec0, node: renamed.get(spec0.node) };
      }
      if (
        value.kind === 'FelixConfiguration' &&
        name.startsWith('node.') &&
        renamed.has(name.slice(5))
      ) {
        comment += `; was ${name}`;
        value.metadata = {
          ...(value.metadata as object),
          name: `node.${renamed.get(name.slice(5))}`,
        };
      }
      if (rewrite) {
        const spec = (value.spec ?? {}) as Record<string, unknown>;
        comment += `; peerIP ${String(spec.peerIP)} and asNumber ${String(spec.asNumber)} mapped onto the lab router`;
        value.spec = { ...spec, peerIP: rewrite.peerIP, asNumber: rewrite.asNumber };
      }
      const doc = new Document(value);
      doc.commentBefore = ` ${comment}`;
      return doc.toString({ lineWidth: 0 });
    });

  const render = (expect: Record<string, unknown>[]): string => {
    const doc = new Document(labDoc(expect));
    doc.commentBefore = ` Built by egress-lab import from ${sources.map((s) => s.file).join(', ')}`;
    flowStyleItems(doc, ['nodes', 'pods', 'hosts', 'expect']);
    return [doc.toString({ lineWidth: 0 }), ...resourcesText].join('---\n');
  };

  const file = `${labName}.yaml`;
  const draftLab = loadLab([{ file, text: render([]) }]);
  const plan = planLab(draftLab);
  const expect: Record<string, unknown>[] = [];
  const add = (from: string, to: string) => {
    const e = explain(plan, from, to);
    expect.push({
      from,
      to,
      seenAs: e.seenAs === 'address' ? e.seenSource : e.seenAs,
      reply: e.reply,
    });
  };
  for (const pod of pods) for (const host of hosts) add(pod.name, host.name);
  const [first, ...rest] = pods;
  if (first) for (const other of rest) add(first.name, other.name);

  const text = render(expect);
  const lab = loadLab([{ file, text }]);
  return { text, lab, report };
}

/** Items of spec.<key> lists printed on one line each ({ name: node-1, … }). */
function flowStyleItems(doc: Document, keys: string[]): void {
  const spec = (doc.contents as YAMLMap | null)?.get('spec', true);
  if (!isMap(spec)) return;
  for (const key of keys) {
    const seq = spec.get(key, true);
    if (!isSeq(seq)) continue;
    for (const item of seq.items) if (isMap(item)) item.flow = true;
  }
}
