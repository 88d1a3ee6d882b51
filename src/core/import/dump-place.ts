// Import steps for a cluster dump: the customer's nodes (names, labels, addresses) on a fabric
// that holds their addresses, their pods at their own addresses (the ipAddrs annotation, so
// the lab's IPAM gives each pod exactly the address it has at the customer's), and outside
// hosts at the destinations the user names. What cannot be reproduced is reported.
import { peerIPAddress } from '../calico/bgp.js';
import { IPADDRS_ANNOTATION } from '../calico/ip-addrs.js';
import {
  cidrContains,
  cidrSize,
  cidrsOverlap,
  cidrWithin,
  formatCidr,
  intToIp,
  ipToInt,
  isIPv4,
  maskOf,
  parseCidr4,
} from '../net/cidr.js';
import { blockWalk } from '../ipam/random-block.js';
import { slash24Of } from './addresses.js';
import {
  enabledV4Cidrs,
  fail,
  isV4Pool,
  uniqueName,
  type ImportContext,
  type ImportInputs,
} from './context.js';
import type { ClusterDump, DumpPod } from './dump-read.js';
import { dnsLabel } from './dns-label.js';

/** Pods kept by default: each is a container, and a support case needs a few per node. */
export const DEFAULT_MAX_PODS = 100;
const DEFAULT_ROUTER_AS = 64500;
const FINISHED = /^(Completed|Succeeded|Failed|Evicted|Error|OOMKilled|ContainerStatusUnknown)$/;

/** The smallest CIDR holding every address (at most /30 so the router fits). */
function covering(addresses: number[]): string {
  let prefix = 30;
  const lo = Math.min(...addresses);
  const hi = Math.max(...addresses);
  while (prefix > 0 && (lo & maskOf(prefix)) >>> 0 !== (hi & maskOf(prefix)) >>> 0) prefix--;
  return formatCidr({ base: (lo & maskOf(prefix)) >>> 0, prefix });
}

/**
 * The fabric and router from the customer's node addresses: their subnet (Calico's
 * IPv4Address prefix when every node shares it, else the smallest range holding them all);
 * the router at the address the BGPPeers point at when it lies there, else the first free one.
 * Undefined when the addresses cannot make one segment (too far apart, or inside a pool).
 */
export function placeRouterForDump(
  inputs: ImportInputs,
  dump: ClusterDump,
): Pick<ImportContext, 'router' | 'fabric'> | undefined {
  const { report } = inputs;
  const withAddr = dump.nodes.filter((n) => n.address);
  if (withAddr.length === 0) return undefined;
  const ints = withAddr.map((n) => ipToInt(n.address!));
  const nets = new Set(
    withAddr.map((n) =>
      n.prefix !== undefined && n.prefix <= 30
        ? formatCidr({ base: (ipToInt(n.address!) & maskOf(n.prefix)) >>> 0, prefix: n.prefix })
        : '',
    ),
  );
  let fabric = nets.size === 1 && !nets.has('') ? [...nets][0]! : covering(ints);
  if (parseCidr4(fabric).prefix > 24 && withAddr.length > 1 && nets.size !== 1)
    fabric = covering(ints);
  const f = parseCidr4(fabric);
  if (f.prefix < 16) {
    report.push(
      `the nodes' addresses span ${fabric}: too wide for the lab's one node segment, so the nodes get lab addresses (the customer's are in their notes below)`,
    );
    return undefined;
  }
  const overlapping = enabledV4Cidrs(inputs.pools).find((c) => cidrsOverlap(c, fabric));
  if (overlapping) {
    report.push(
      `the nodes' segment ${fabric} overlaps the enabled pool ${overlapping}: the nodes get lab addresses`,
    );
    return undefined;
  }
  if (nets.size > 1)
    report.push(
      `the customer's nodes are on ${nets.size} subnets; the lab puts them on one segment, ${fabric} (CrossSubnet encapsulation then sees one subnet)`,
    );
  const taken = new Set(ints);
  const first = f.base + 1;
  const last = f.base + cidrSize(f.prefix) - 2;
  for (const peer of inputs.resources.bgpPeers) {
    const ip = peer.spec.peerIP ? peerIPAddress(peer.spec.peerIP) : undefined;
    if (!ip || !isIPv4(ip) || !cidrContains(fabric, ip) || taken.has(ipToInt(ip))) continue;
    const n = ipToInt(ip);
    if (n < first || n > last) continue;
    report.push(
      `router tor takes ${ip} (AS ${peer.spec.asNumber}), the address BGPPeer(${peer.name}) points at, on the nodes' segment ${fabric}`,
    );
    return { router: { address: ip, asNumber: peer.spec.asNumber }, fabric };
  }
  for (let n = first; n <= last; n++) {
    if (taken.has(n)) continue;
    const clusterAS =
      inputs.resources.bgpConfigurations.find((c) => c.name === 'default')?.spec.asNumber ?? 64512;
    const asNumber = clusterAS === DEFAULT_ROUTER_AS ? 65000 : DEFAULT_ROUTER_AS;
    report.push(`the nodes keep their addresses on ${fabric}; router tor takes ${intToIp(n)}`);
    return { router: { address: intToIp(n), asNumber }, fabric };
  }
  return undefined;
}

/** The customer's nodes, with their labels, and their addresses when the fabric holds them. */
export function addDumpNodes(ctx: ImportContext, dump: ClusterDump): void {
  const { nodes, report } = ctx;
  const keepAddresses = dump.nodes.some(
    (n) => n.address && cidrContains(ctx.fabric, n.address) && n.address !== ctx.router.address,
  );
  const names = new Set<string>();
  for (const n of dump.nodes) {
    const name = nodes.labName(n.name);
    if (names.has(name)) continue;
    names.add(name);
    const labels = { ...n.labels };
    delete labels['kubernetes.io/hostname'];
    const d = nodes.add(name, labels);
    if (keepAddresses && n.address && cidrContains(ctx.fabric, n.address)) d.address = n.address;
    else if (n.address)
      report.push(
        `node ${n.name} has ${n.address} at the customer's; the lab gives it another address`,
      );
    if (n.ipipTunnelAddr || n.vxlanTunnelAddr)
      report.push(
        `node ${n.name}'s tunnel address at the customer's: ${[n.ipipTunnelAddr && `IPIP ${n.ipipTunnelAddr}`, n.vxlanTunnelAddr && `VXLAN ${n.vxlanTunnelAddr}`].filter(Boolean).join(', ')}`,
      );
  }
  // Nodes the pods name that the dump has no Node for.
  for (const p of dump.pods) {
    if (!p.node || p.hostNetwork || !p.ip) continue;
    const name = nodes.labName(p.node);
    if (names.has(name)) continue;
    names.add(name);
    nodes.add(name);
    report.push(
      `node ${p.node} comes from the pods' NODE column only (no Node in the dump): no labels, a lab address`,
    );
  }
}

/** Pods of the dump the lab can run: on a node, with an IPv4 address in an enabled pool. */
export function dumpPodsForLab(ctx: ImportContext, dump: ClusterDump, maxPods: number): DumpPod[] {
  const { report } = ctx;
  const pools = ctx.pools.filter((p) => isV4Pool(p) && !p.spec.disabled);
  let pods = dump.pods;
  if (pods.length === 0) pods = podsFromBlocks(dump);
  const counts = { hostNetwork: 0, noIp: 0, v6: 0, finished: 0, outside: [] as string[] };
  const ipsTaken = new Map<string, string>();
  const duplicates: string[] = [];
  const usable = pods.filter((p) => {
    // A finished pod's address is released (and may be another pod's now).
    if (p.phase && FINISHED.test(p.phase)) {
      counts.finished++;
      return false;
    }
    if (p.hostNetwork || (p.ip && dump.nodes.some((n) => n.address === p.ip))) {
      counts.hostNetwork++;
      return false;
    }
    if (!p.ip || !p.node) {
      counts.noIp++;
      return false;
    }
    if (!isIPv4(p.ip)) {
      counts.v6++;
      return false;
    }
    if (!pools.some((pool) => cidrContains(pool.spec.cidr, p.ip!))) {
      counts.outside.push(`${p.namespace}/${p.name} (${p.ip})`);
      return false;
    }
    const holder = ipsTaken.get(p.ip);
    if (holder) {
      duplicates.push(`${p.namespace}/${p.name} (${p.ip}, also ${holder}'s)`);
      return false;
    }
    ipsTaken.set(p.ip, `${p.namespace}/${p.name}`);
    return true;
  });
  if (counts.finished)
    report.push(
      `${counts.finished} finished pods (Completed, Failed, Evicted …) left out: their addresses are released`,
    );
  if (duplicates.length)
    report.push(
      `${duplicates.length} pods left out because an earlier pod of the dump has their address (${duplicates.slice(0, 3).join(', ')}${duplicates.length > 3 ? ', …' : ''}): a dump taken while pods churned?`,
    );
  if (counts.hostNetwork)
    report.push(
      `${counts.hostNetwork} host-network pods left out (they use their node's address, not Calico's)`,
    );
  if (counts.noIp)
    report.push(`${counts.noIp} pods without an address or a node (Pending?) left out`);
  if (counts.v6)
    report.push(`${counts.v6} pods with only an IPv6 address left out: the lab runs IPv4 only`);
  if (counts.outside.length)
    report.push(
      `${counts.outside.length} pods whose address is in no enabled IPPool of the dump left out (${counts.outside.slice(0, 3).join(', ')}${counts.outside.length > 3 ? ', …' : ''}): give their pool's YAML too`,
    );
  // Fair share across nodes when there are too many: round robin, in the dump's order.
  let kept = usable;
  if (usable.length > maxPods) {
    const byNode = new Map<string, DumpPod[]>();
    for (const p of usable) byNode.set(p.node!, [...(byNode.get(p.node!) ?? []), p]);
    kept = [];
    const queues = [...byNode.values()];
    for (let i = 0; kept.length < maxPods; i++)
      for (const q of queues) if (q[i] && kept.length < maxPods) kept.push(q[i]!);
    report.push(
      `${usable.length - maxPods} of ${usable.length} pods left out: the lab keeps ${maxPods} (a few per node; --max-pods N keeps more)`,
    );
  }
  // A block goes to the node whose pod claims it first: put the pods on each block's affine
  // node first, so the lab's blocks are affine where the customer's are.
  const affine = new Map<string, string>();
  for (const b of dump.blocks) if (b.node) affine.set(b.cidr, b.node);
  for (const a of dump.affinities) if (!affine.has(a.cidr)) affine.set(a.cidr, a.node);
  const onAffineNode = (p: DumpPod) => {
    for (const [cidr, node] of affine)
      if (cidrContains(cidr, p.ip!)) return node === p.node ? 0 : 2;
    return 1;
  };
  const borrowed = kept.filter((p) => onAffineNode(p) === 2);
  if (borrowed.length)
    report.push(
      `${borrowed.length} pods hold an address from another node's block at the customer's (borrowed: strictAffinity false); the lab lends it the same way`,
    );
  return [...kept].sort((a, b) => onAffineNode(a) - onAffineNode(b));
}

/** With no pod list, the pods the IPAM blocks name (their handles' namespace, pod and node). */
function podsFromBlocks(dump: ClusterDump): DumpPod[] {
  const out: DumpPod[] = [];
  for (const b of dump.blocks) {
    let c;
    try {
      c = parseCidr4(b.cidr);
    } catch {
      continue;
    }
    for (const a of b.allocations) {
      if (!a.pod || a.type) continue; // tunnel addresses carry a type, no pod
      const node = a.node ?? b.node;
      out.push({
        namespace: a.namespace ?? 'default',
        name: a.pod,
        ...(node ? { node } : {}),
        ip: intToIp((c.base + a.ordinal) >>> 0),
        hostNetwork: false,
        at: b.at,
      });
    }
  }
  return out;
}

/** The pods, at their own addresses. */
export function addDumpPods(ctx: ImportContext, pods: DumpPod[]): void {
  const renamed: string[] = [];
  for (const p of pods) {
    const base = dnsLabel(p.name, 63);
    const name = uniqueName(ctx, base);
    if (name !== p.name) renamed.push(`${p.namespace}/${p.name} → ${name}`);
    ctx.pods.push({
      name,
      node: ctx.nodes.labName(p.node!),
      ...(p.namespace !== 'default' ? { namespace: p.namespace } : {}),
      annotations: { [IPADDRS_ANNOTATION]: JSON.stringify([p.ip]) },
    });
  }
  if (pods.length)
    ctx.report.push(
      `${pods.length} pods at their own addresses (the cni.projectcalico.org/ipAddrs annotation: Calico's IPAM gives exactly that address)`,
    );
  if (renamed.length)
    ctx.report.push(
      `pods renamed (container names are unique DNS labels): ${renamed.slice(0, 5).join(', ')}${renamed.length > 5 ? ', …' : ''}`,
    );
}

/** Blocks of the dump that no kept pod lies in: not reproduced. */
export function noteBlocks(ctx: ImportContext, dump: ClusterDump): void {
  const ips = ctx.pods.map(
    (p) => JSON.parse(p.annotations[IPADDRS_ANNOTATION] ?? '[]') as string[],
  );
  const flat = ips.flat();
  const empty = dump.blocks.filter((b) => !flat.some((ip) => safeContains(b.cidr, ip)));
  if (empty.length)
    ctx.report.push(
      `${empty.length} IPAM blocks hold no imported pod and are not reproduced (${empty
        .slice(0, 3)
        .map((b) => `${b.cidr}${b.node ? ` of ${b.node}` : ''}`)
        .join(
          ', ',
        )}${empty.length > 3 ? ', …' : ''}): the lab's nodes claim blocks as Calico's IPAM would when they need one`,
    );
  // Whether each node's blocks include the one Calico's walk gives its name first: when not,
  // blocks were released and reclaimed, or another node took it first.
  const byNode = new Map<string, string[]>();
  for (const b of dump.blocks)
    if (b.node) byNode.set(b.node, [...(byNode.get(b.node) ?? []), b.cidr]);
  const asPredicted: string[] = [];
  for (const [node, cidrs] of byNode) {
    const pool = ctx.pools.find(
      (p) => isV4Pool(p) && cidrs.some((c) => safeWithin(c, p.spec.cidr)),
    );
    if (!pool || pool.spec.blockSize === 32) continue;
    const walk = blockWalk(pool.spec.cidr, pool.spec.blockSize, node);
    const first = formatCidr({
      base: (parseCidr4(pool.spec.cidr).base + walk.start * cidrSize(pool.spec.blockSize)) >>> 0,
      prefix: pool.spec.blockSize,
    });
    if (cidrs.includes(first)) asPredicted.push(node);
    else
      ctx.report.push(
        `node ${node} holds ${cidrs.join(', ')}, not ${first}, the block Calico's IPAM tries first for that name: its blocks were claimed in another order (released and reclaimed, or taken by another node first)`,
      );
  }
  if (asPredicted.length)
    ctx.report.push(
      `nodes ${asPredicted.join(', ')} hold the block Calico's IPAM tries first for their names, as the lab's IPAM predicts`,
    );
  const pending = dump.affinities.filter((a) => a.state && a.state !== 'confirmed');
  if (pending.length)
    ctx.report.push(
      `${pending.length} block affinities are not confirmed (${pending
        .map((a) => `${a.cidr} ${a.state}`)
        .slice(0, 3)
        .join(', ')}): the lab starts from a settled IPAM`,
    );
}

function safeWithin(inner: string, outer: string): boolean {
  try {
    return cidrWithin(inner, outer);
  } catch {
    return false;
  }
}

function safeContains(cidr: string, ip: string): boolean {
  try {
    return cidrContains(cidr, ip);
  } catch {
    return false;
  }
}

/** Allowed destinations: private and documentation ranges only (lab packets stay in the lab). */
const DEST_RANGES = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '192.0.2.0/24',
  '198.51.100.0/24',
  '203.0.113.0/24',
];

/** An outside host per destination the user names (`--dest ADDRESS`). */
export function addDestinationHosts(ctx: ImportContext, destinations: readonly string[]): void {
  for (const d of destinations) {
    if (!isIPv4(d)) fail(`--dest ${d}: not an IPv4 address`);
    if (!DEST_RANGES.some((r) => cidrContains(r, d)))
      fail(
        `--dest ${d}: the lab only puts outside hosts in private or documentation ranges (${DEST_RANGES.join(', ')}), so no lab packet could ever reach a real host; use a documentation address such as 203.0.113.50 to stand for it`,
      );
    const seg = slash24Of(d);
    const pool = enabledV4Cidrs(ctx.pools).find((c) => cidrsOverlap(c, seg));
    if (pool) fail(`--dest ${d}: its segment ${seg} overlaps the enabled pool ${pool}`);
    if (cidrsOverlap(seg, ctx.fabric))
      fail(`--dest ${d}: its segment ${seg} overlaps the nodes' segment ${ctx.fabric}`);
    const same = ctx.hosts.find((h) => slash24Of(h.address.split('/')[0]!) === seg);
    if (same) fail(`--dest ${d}: host ${same.name} already has the segment ${seg}`);
    const last = ipToInt(d) & 0xff;
    if (last === 0 || last === 255) fail(`--dest ${d}: the network or broadcast address of ${seg}`);
    ctx.hosts.push({ name: uniqueName(ctx, `dest-${d.replace(/\./g, '-')}`), address: `${d}/24` });
    ctx.report.push(
      `host dest-${d.replace(/\./g, '-')} stands for the destination ${d} (segment ${seg})`,
    );
  }
}
