// The kernel's ARP table is one table for all network namespaces, bounded by
// net.ipv4.neigh.default.gc_thresh3 (1024 by default). A big lab (50 nodes in a BGP
// mesh: ~50 neighbours each) overflows it: "neighbor table overflow!", ARP fails, BGP
// sessions hang in Connect with "No route to host". Estimate what a plan needs and say so.
import { readFileSync } from 'node:fs';
import type { LabPlan } from '../core/plan/types.js';

/** Neighbour entries a plan can create: all-to-all on each bridge, 2 per point-to-point link. */
export function neighbourEstimate(plan: LabPlan): number {
  const bridgePorts = new Map<string, Set<string>>(); // "container/bridge" -> member containers
  const portOf = new Map<string, string>(); // "container/ifname" -> "container/bridge"
  for (const c of plan.containers) {
    for (const b of c.bridges) bridgePorts.set(`${c.name}/${b.name}`, new Set([c.name]));
    for (const i of c.interfaces)
      if (i.master) portOf.set(`${c.name}/${i.ifname}`, `${c.name}/${i.master}`);
  }
  let total = 0;
  for (const l of plan.links) {
    const a = portOf.get(`${l.a.container}/${l.a.ifname}`);
    const b = portOf.get(`${l.b.container}/${l.b.ifname}`);
    if (a) bridgePorts.get(a)?.add(l.b.container);
    else if (b) bridgePorts.get(b)?.add(l.a.container);
    else total += 2;
  }
  for (const members of bridgePorts.values()) total += members.size * (members.size - 1);
  return total;
}

/** This machine's limit, when the engine runs here and /proc tells; else undefined. */
export function localNeighbourLimit(): number | undefined {
  try {
    const n = Number(readFileSync('/proc/sys/net/ipv4/neigh/default/gc_thresh3', 'utf8').trim());
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function neighbourAdvice(needed: number, limit: number): string {
  const want = Math.max(4096, 2 ** Math.ceil(Math.log2(needed * 2)));
  return (
    `this lab may need ~${needed} ARP entries but the kernel keeps at most ${limit} for all containers ` +
    `(net.ipv4.neigh.default.gc_thresh3); raise it on the engine's machine: ` +
    `sysctl -w net.ipv4.neigh.default.gc_thresh2=${want / 2} net.ipv4.neigh.default.gc_thresh3=${want}`
  );
}
