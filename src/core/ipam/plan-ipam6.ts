// Calico IPAM's IPv6 side, by the same rules as plan-ipam.ts (libcalico-go/lib/ipam: one
// AutoAssign call hands out an IPv4 and an IPv6 address when the CNI config asks for both, each
// from its own family's pools and blocks, /122 by default): a node reuses its affine IPv6 blocks
// with room, else claims the lowest unclaimed block of the first usable IPv6 pool; inside a
// block the lowest free address (::0 included, as Calico hands it out). Pools come from the
// `cni.projectcalico.org/ipv6pools` annotation or every enabled IPv6 pool for the node.
// Pods keep a pinned IPv6 address (and nodes their blocks) as with IPv4.
import { LabInputError, type Problem } from '../errors.js';
import type { IPPool } from '../model/calico.js';
import type { Lab } from '../model/lab.js';
import { choosePools, IPV6POOLS_ANNOTATION } from '../calico/pool-choice.js';
import {
  bigToIp6,
  cidr6Contains,
  cidr6Size,
  cidr6Within,
  formatCidr6,
  ip6ToBig,
  parseCidr6,
} from '../net/cidr6.js';
import { poolVersion } from '../calico/ippool.js';
import type { BlockAffinity, IpamPlan } from './types.js';

interface Block6 {
  affinity: BlockAffinity;
  base: bigint;
  size: bigint;
  used: Set<bigint>;
}

const byName = (a: IPPool, b: IPPool): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Whether the lab runs IPv6 (fabric.ipv6Cidr) and has an IPv6 pool. */
export function labHasIpv6Pools(lab: Lab): boolean {
  return lab.fabric.ipv6Cidr !== undefined && lab.ipPools.some((p) => poolVersion(p) === 6);
}

/**
 * The v4 plan with each pod's IPv6 address and the nodes' IPv6 blocks added; the v4 plan itself
 * unchanged, and returned as is when the lab has no IPv6 (IPv4 labs plan exactly as before).
 */
export function withIpv6(lab: Lab, plan: IpamPlan, pinned?: IpamPlan): IpamPlan {
  if (!labHasIpv6Pools(lab)) return plan;
  const pools = lab.ipPools.filter((p) => poolVersion(p) === 6);
  const nodeNames = new Set(lab.nodes.map((n) => n.name));
  const blocks: Block6[] = [];
  const addBlock = (affinity: BlockAffinity): Block6 => {
    const c = parseCidr6(affinity.cidr);
    const b = { affinity, base: c.base, size: cidr6Size(c.prefix), used: new Set<bigint>() };
    blocks.push(b);
    return b;
  };
  const poolOf = (cidrOrAddr: string) =>
    pools.find((p) =>
      cidrOrAddr.includes('/')
        ? cidr6Within(cidrOrAddr, p.spec.cidr)
        : cidr6Contains(p.spec.cidr, cidrOrAddr),
    );
  for (const a of pinned?.blocks6 ?? []) {
    const pool = poolOf(a.cidr);
    if (nodeNames.has(a.node) && pool && !blocks.some((b) => b.affinity.cidr === a.cidr))
      addBlock({ cidr: a.cidr, node: a.node, pool: pool.name });
  }
  const key = (ns: string, name: string) => `${ns}/${name}`;
  const pinnedByPod = new Map(
    (pinned?.assignments ?? []).map((a) => [key(a.namespace, a.pod), a] as const),
  );
  const out = plan.assignments.map((a) => ({ ...a }));
  const pending: number[] = [];
  out.forEach((a, i) => {
    const prev = pinnedByPod.get(key(a.namespace, a.pod))?.ipv6;
    const block =
      prev && blocks.find((b) => b.affinity.cidr === prev.block && b.affinity.node === a.node);
    const pool = prev && poolOf(prev.address);
    if (prev && block && pool && pinnedByPod.get(key(a.namespace, a.pod))?.node === a.node) {
      const offset = ip6ToBig(prev.address) - block.base;
      if (offset >= 0n && offset < block.size && !block.used.has(offset)) {
        block.used.add(offset);
        a.ipv6 = { pool: pool.name, block: prev.block, address: prev.address };
        return;
      }
    }
    pending.push(i);
  });
  const problems: Problem[] = [];
  for (const i of pending) {
    const a = out[i]!;
    const podIndex = lab.pods.findIndex((p) => p.name === a.pod && p.namespace === a.namespace);
    const pod = lab.pods[podIndex]!;
    const node = lab.nodes.find((n) => n.name === a.node)!;
    const choice = choosePools(lab.ipPools, pod, node, 6);
    const field = `spec.pods[${podIndex}]`;
    if (!choice.ok) {
      problems.push({
        kind: 'Lab',
        name: lab.name,
        field: choice.byAnnotation ? `${field}.annotations` : field,
        message: `pod ${pod.name}: ${choice.error} (IPv6)`,
      });
      continue;
    }
    const usable = choice.byAnnotation ? choice.pools : [...choice.pools].sort(byName);
    const usableNames = new Set(usable.map((p) => p.name));
    let block = blocks.find(
      (b) =>
        b.affinity.node === node.name &&
        usableNames.has(b.affinity.pool) &&
        BigInt(b.used.size) < b.size,
    );
    block ??= claim(usable, node.name, blocks, addBlock);
    if (!block) {
      problems.push({
        kind: 'Lab',
        name: lab.name,
        field,
        message: `pod ${pod.name}: no free IPv6 block left in pool(s) ${usable.map((p) => p.name).join(', ')}`,
      });
      continue;
    }
    let offset = 0n;
    while (block.used.has(offset)) offset++;
    block.used.add(offset);
    a.ipv6 = {
      pool: block.affinity.pool,
      block: block.affinity.cidr,
      address: bigToIp6(block.base + offset),
    };
  }
  if (problems.length) throw new LabInputError(problems);
  return { ...plan, assignments: out, blocks6: blocks.map((b) => b.affinity) };
}

function claim(
  usable: IPPool[],
  node: string,
  blocks: Block6[],
  addBlock: (a: BlockAffinity) => Block6,
): Block6 | undefined {
  for (const pool of usable) {
    const p = parseCidr6(pool.spec.cidr);
    if (pool.spec.blockSize < p.prefix) continue;
    const step = cidr6Size(pool.spec.blockSize);
    const count = cidr6Size(p.prefix) / step;
    // Claimed blocks are few: the lowest free one is found within as many steps as there are.
    for (let i = 0n; i < count; i++) {
      const cidr = formatCidr6({ base: p.base + i * step, prefix: pool.spec.blockSize });
      if (
        !blocks.some(
          (b) => cidr6Within(cidr, b.affinity.cidr) || cidr6Within(b.affinity.cidr, cidr),
        )
      )
        return addBlock({ cidr, pool: pool.name, node });
    }
  }
  return undefined;
}

export { IPV6POOLS_ANNOTATION };
