// Calico IPAM for a whole lab, deterministically (libcalico-go/lib/ipam: ipam.go, ipam_block.go,
// ipam_block_reader_writer.go):
// - a node first reuses blocks it already has affinity to (in claim order) that belong to
//   a pool the pod may use and have room;
// - otherwise it claims a new block from the first usable pool that has an unclaimed one,
//   walking the pool's blocks from the start Calico draws from the node's name
//   (randomBlockGenerator, reproduced bit for bit in random-block.ts), so a node gets the
//   block a real node of that name gets;
// - with no unclaimed block left (strictAffinity false, Calico's default and the only mode the
//   lab runs), the pod borrows a free address from another node's block, the blocks again in
//   the node's walk order (autoAssign's non-affine pass);
// - a pod with the cni.projectcalico.org/ipAddrs annotation gets exactly that address
//   (AssignIP): the block holding it is claimed for the pod's node when nobody has it;
// - inside a block, the lowest free address: .0, .1, .2 … (no network/broadcast skipping).
// `pinned` is a previous plan of the same lab: pods keep their addresses (as running pods
// keep theirs in Calico when a pool is disabled or changed) and nodes keep their blocks.
import { LabInputError, type Problem } from '../errors.js';
import type { IPPool } from '../model/calico.js';
import type { Lab, LabPod } from '../model/lab.js';
import type { BlockAffinity, IpamPlan, PodAssignment, TunnelAssignment } from './types.js';
import { nodeFelix, TUNNEL_KINDS, tunnelPools } from './tunnels.js';
import {
  cidrContains,
  cidrSize,
  cidrWithin,
  formatCidr,
  intToIp,
  ipToInt,
  parseCidr4,
} from '../net/cidr.js';
import { IPADDRS_ANNOTATION, parseIpAddrsAnnotation } from '../calico/ip-addrs.js';
import { candidatePools, PoolChoiceError } from './pool-choice.js';
import { blockOrder, blockWalk } from './random-block.js';
import { calicoVethName } from './veth-name.js';
import { withIpv6 } from './plan-ipam6.js';
import { planIpamIpv6Only } from './plan-ipam6-only.js';
import { assignsIpv4 } from '../model/ip-families.js';

interface BlockState {
  affinity: BlockAffinity;
  base: number;
  size: number;
  used: Set<number>; // offsets taken
}

function poolOf(pools: IPPool[], cidrOrAddr: string): IPPool | undefined {
  return cidrOrAddr.includes('/')
    ? pools.find((p) => !p.spec.cidr.includes(':') && cidrWithin(cidrOrAddr, p.spec.cidr))
    : pools.find((p) => !p.spec.cidr.includes(':') && cidrContains(p.spec.cidr, cidrOrAddr));
}

function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function planIpam(lab: Lab, pinned?: IpamPlan): IpamPlan {
  // IPv6-only labs (the CNI's assign_ipv4 false): IPv6 addresses only (plan-ipam6-only.ts).
  if (!assignsIpv4(lab)) return planIpamIpv6Only(lab, pinned);
  const pools = lab.ipPools;
  const nodeNames = new Set(lab.nodes.map((n) => n.name));
  const blocks: BlockState[] = [];
  const claimed = new Set<string>();

  const addBlock = (affinity: BlockAffinity): BlockState => {
    const c = parseCidr4(affinity.cidr);
    const b: BlockState = { affinity, base: c.base, size: cidrSize(c.prefix), used: new Set() };
    blocks.push(b);
    claimed.add(affinity.cidr);
    return b;
  };

  // Keep the pinned affinities of nodes that still exist, re-attributed to the pool that now
  // holds the block (a block outside every pool is released).
  for (const a of pinned?.blocks ?? []) {
    const pool = poolOf(pools, a.cidr);
    if (nodeNames.has(a.node) && pool && !claimed.has(a.cidr))
      addBlock({ cidr: a.cidr, node: a.node, pool: pool.name });
  }

  const assignments: PodAssignment[] = [];
  const pinnedByPod = new Map(
    (pinned?.assignments ?? []).map((a) => [podKey(a.namespace, a.pod), a]),
  );
  const pending: { pod: LabPod; index: number }[] = [];

  // Pass 1: pods that keep their pinned address.
  lab.pods.forEach((pod, index) => {
    const prev = pinnedByPod.get(podKey(pod.namespace, pod.name));
    const block =
      prev && blocks.find((b) => b.affinity.cidr === prev.block && b.affinity.node === pod.node);
    const pool = prev && poolOf(pools, prev.address);
    if (prev && prev.node === pod.node && block && pool && cidrContains(prev.block, prev.address)) {
      const offset = ipToInt(prev.address) - block.base;
      if (!block.used.has(offset)) {
        block.used.add(offset);
        assignments.push({
          ...prev,
          pool: pool.name,
          hostIfname: calicoVethName(pod.namespace, pod.name),
        });
        return;
      }
    }
    pending.push({ pod, index });
  });

  // Tunnel addresses (tunnels.ts): pinned ones kept, the others before any new pod.
  const tunnels: TunnelAssignment[] = [];
  for (const node of lab.nodes) {
    const felix = nodeFelix(lab, node.name);
    for (const kind of TUNNEL_KINDS) {
      const usable = tunnelPools(kind, pools, node, felix).sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
      if (!usable.length) continue;
      const names = new Set(usable.map((p) => p.name));
      const prev = pinned?.tunnels?.find((t) => t.node === node.name && t.kind === kind);
      const kept =
        prev && blocks.find((b) => b.affinity.cidr === prev.block && b.affinity.node === node.name);
      if (
        prev &&
        kept &&
        names.has(kept.affinity.pool) &&
        !kept.used.has(ipToInt(prev.address) - kept.base)
      ) {
        kept.used.add(ipToInt(prev.address) - kept.base);
        tunnels.push({ ...prev, pool: kept.affinity.pool });
        continue;
      }
      const block =
        blocks.find(
          (b) =>
            b.affinity.node === node.name && names.has(b.affinity.pool) && b.used.size < b.size,
        ) ?? claimBlock(usable, node.name, claimed, addBlock);
      if (!block) continue; // calico-node logs the failure; the node runs without that tunnel
      let offset = 0;
      while (block.used.has(offset)) offset++;
      block.used.add(offset);
      tunnels.push({
        node: node.name,
        kind,
        pool: block.affinity.pool,
        block: block.affinity.cidr,
        address: intToIp(block.base + offset),
      });
    }
  }

  // Pass 2: everyone else, in file order.
  const problems: Problem[] = [];
  for (const { pod, index } of pending) {
    const node = lab.nodes.find((n) => n.name === pod.node);
    const where = { kind: 'Lab', name: lab.name, field: `spec.pods[${index}]` };
    if (!node) {
      problems.push({
        ...where,
        field: `${where.field}.node`,
        message: `pod ${pod.name}: unknown node "${pod.node}"`,
      });
      continue;
    }
    try {
      const wanted = requestedAddress(pod);
      let block: BlockState | undefined;
      let offset: number;
      if (wanted) {
        ({ block, offset } = assignRequested(wanted, pools, node.name, blocks, addBlock));
      } else {
        const usable = candidatePools(pod, node, pools);
        const usableNames = new Set(usable.map((p) => p.name));
        block = blocks.find(
          (b) =>
            b.affinity.node === node.name &&
            usableNames.has(b.affinity.pool) &&
            b.used.size < b.size,
        );
        if (!block) block = claimBlock(usable, node.name, claimed, addBlock);
        if (!block) block = borrowBlock(usable, node.name, blocks);
        if (!block) {
          throw new PoolChoiceError(
            `no free address left in pool(s) ${usable.map((p) => p.name).join(', ')}: every block is claimed and full (Calico: "No IPs available in pools")`,
          );
        }
        offset = 0;
        while (block.used.has(offset)) offset++;
      }
      block.used.add(offset);
      assignments.push({
        pod: pod.name,
        namespace: pod.namespace,
        node: node.name,
        pool: block.affinity.pool,
        block: block.affinity.cidr,
        address: intToIp(block.base + offset),
        hostIfname: calicoVethName(pod.namespace, pod.name),
        ...(block.affinity.node !== node.name ? { borrowedFrom: block.affinity.node } : {}),
      });
    } catch (e) {
      if (!(e instanceof PoolChoiceError)) throw e;
      problems.push({
        ...where,
        field: e.field ? `${where.field}.${e.field}` : where.field,
        message: `pod ${pod.name}: ${e.message}`,
      });
    }
  }
  if (problems.length) throw new LabInputError(problems);

  // Report pods in file order, blocks in claim order.
  const order = new Map(lab.pods.map((p, i) => [podKey(p.namespace, p.name), i]));
  assignments.sort(
    (a, b) => order.get(podKey(a.namespace, a.pod))! - order.get(podKey(b.namespace, b.pod))!,
  );
  const plan: IpamPlan = { blocks: blocks.map((b) => b.affinity), assignments };
  if (tunnels.length > 0) plan.tunnels = tunnels;
  // IPv6 labs: each pod's IPv6 address too (plan-ipam6.ts; IPv4 labs: the plan as is).
  return withIpv6(lab, plan, pinned);
}

function claimBlock(
  usable: IPPool[],
  node: string,
  claimed: Set<string>,
  addBlock: (a: BlockAffinity) => BlockState,
): BlockState | undefined {
  for (const pool of usable) {
    const p = parseCidr4(pool.spec.cidr);
    if (pool.spec.blockSize < p.prefix) continue; // pool smaller than a block: unusable (validation rejects it)
    const step = cidrSize(pool.spec.blockSize);
    // Blocks of another size (kept from a pool re-created with another blockSize) can overlap.
    const odd = [...claimed].filter((c) => !c.endsWith(`/${pool.spec.blockSize}`));
    for (const i of blockOrder(blockWalk(pool.spec.cidr, pool.spec.blockSize, node))) {
      const cidr = formatCidr({ base: (p.base + i * step) >>> 0, prefix: pool.spec.blockSize });
      if (!claimed.has(cidr) && !odd.some((c) => cidrWithin(cidr, c) || cidrWithin(c, cidr))) {
        return addBlock({ cidr, pool: pool.name, node });
      }
    }
  }
  return undefined;
}

/** autoAssign's non-affine pass: another node's block with room, in this node's walk order. */
function borrowBlock(usable: IPPool[], node: string, blocks: BlockState[]): BlockState | undefined {
  const byCidr = new Map(blocks.map((b) => [b.affinity.cidr, b]));
  for (const pool of usable) {
    const p = parseCidr4(pool.spec.cidr);
    if (pool.spec.blockSize < p.prefix) continue;
    const step = cidrSize(pool.spec.blockSize);
    for (const i of blockOrder(blockWalk(pool.spec.cidr, pool.spec.blockSize, node))) {
      const cidr = formatCidr({ base: (p.base + i * step) >>> 0, prefix: pool.spec.blockSize });
      const b = byCidr.get(cidr);
      if (b && b.used.size < b.size) return b;
    }
  }
  return undefined;
}

/** The IPv4 address the pod's ipAddrs annotation asks for (parsed and checked at load). */
function requestedAddress(pod: LabPod): string | undefined {
  const value = pod.annotations[IPADDRS_ANNOTATION];
  if (value === undefined) return undefined;
  const r = parseIpAddrsAnnotation(value);
  if ('error' in r) throw new PoolChoiceError(r.error, `annotations.${IPADDRS_ANNOTATION}`);
  if (!r.v4)
    throw new PoolChoiceError(
      `${IPADDRS_ANNOTATION} names no IPv4 address: the lab runs IPv4 only`,
      `annotations.${IPADDRS_ANNOTATION}`,
    );
  return r.v4;
}

/** AssignIP: the block holding `address` (claimed for `node` when nobody has it), and its ordinal. */
function assignRequested(
  address: string,
  pools: IPPool[],
  node: string,
  blocks: BlockState[],
  addBlock: (a: BlockAffinity) => BlockState,
): { block: BlockState; offset: number } {
  const field = `annotations.${IPADDRS_ANNOTATION}`;
  // getPoolForIP looks at enabled pools only.
  const pool = pools.find(
    (p) => !p.spec.disabled && !p.spec.cidr.includes(':') && cidrContains(p.spec.cidr, address),
  );
  if (!pool)
    throw new PoolChoiceError(
      `${address}: The provided IP address is not in a configured pool`,
      field,
    );
  if (!pool.spec.allowedUses.includes('Workload'))
    throw new PoolChoiceError(
      `IP address ${address} is in IP pool "${pool.name}", which is not allowed for use "Workload" (allowedUses: [${pool.spec.allowedUses.join(' ')}])`,
      field,
    );
  const ip = ipToInt(address);
  const blockCidr = formatCidr({
    base: (ip - (ip % cidrSize(pool.spec.blockSize))) >>> 0,
    prefix: pool.spec.blockSize,
  });
  const block =
    blocks.find((b) => b.affinity.cidr === blockCidr) ??
    addBlock({ cidr: blockCidr, pool: pool.name, node });
  const offset = ip - block.base;
  if (block.used.has(offset))
    throw new PoolChoiceError(`${address}: Address already assigned in block`, field);
  return { block, offset };
}
