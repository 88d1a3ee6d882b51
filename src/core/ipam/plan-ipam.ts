// Calico IPAM for a whole lab, deterministically (libcalico-go/lib/ipam: ipam.go, ipam_block.go):
// - a node first reuses blocks it already has affinity to (in claim order) that belong to
//   a pool the pod may use and have room;
// - otherwise it claims a new block from the first usable pool that has an unclaimed one.
//   Calico starts the search at a block picked pseudo-randomly from a hash of the host name
//   (randomBlockGenerator); the lab takes the lowest unclaimed block instead, so a lab's
//   addresses are easy to read and the same on every run;
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
import { candidatePools, PoolChoiceError } from './pool-choice.js';
import { calicoVethName } from './veth-name.js';
import { withIpv6 } from './plan-ipam6.js';

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
      const usable = candidatePools(pod, node, pools);
      const usableNames = new Set(usable.map((p) => p.name));
      let block = blocks.find(
        (b) =>
          b.affinity.node === node.name && usableNames.has(b.affinity.pool) && b.used.size < b.size,
      );
      if (!block) block = claimBlock(usable, node.name, claimed, addBlock);
      if (!block) {
        throw new PoolChoiceError(
          `no free block left in pool(s) ${usable.map((p) => p.name).join(', ')}`,
        );
      }
      let offset = 0;
      while (block.used.has(offset)) offset++;
      block.used.add(offset);
      assignments.push({
        pod: pod.name,
        namespace: pod.namespace,
        node: node.name,
        pool: block.affinity.pool,
        block: block.affinity.cidr,
        address: intToIp(block.base + offset),
        hostIfname: calicoVethName(pod.namespace, pod.name),
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
    const count = cidrSize(p.prefix) / step;
    for (let i = 0; i < count; i++) {
      const cidr = formatCidr({ base: p.base + i * step, prefix: pool.spec.blockSize });
      if (
        !claimed.has(cidr) &&
        ![...claimed].some((c) => cidrWithin(cidr, c) || cidrWithin(c, cidr))
      ) {
        return addBlock({ cidr, pool: pool.name, node });
      }
    }
  }
  return undefined;
}
