// The kernel's ARP table is one table for all network namespaces, bounded by
// net.ipv4.neigh.default.gc_thresh3 (1024 by default). A big lab (50 nodes in a BGP
// mesh: ~50 neighbours each) overflows it: "neighbor table overflow!", ARP fails, BGP
// sessions hang in Connect with "No route to host". Estimate what a plan needs and say so.
import { readFileSync, writeFileSync } from 'node:fs';
import type { LabPlan } from '../../core/plan/types.js';

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
  const { thresh2, thresh3 } = neighbourTarget(needed);
  return (
    `this lab may need ~${needed} ARP entries but the kernel keeps at most ${limit} for all containers ` +
    `(net.ipv4.neigh.default.gc_thresh3); raise it on the engine's machine: ` +
    `sysctl -w net.ipv4.neigh.default.gc_thresh2=${thresh2} net.ipv4.neigh.default.gc_thresh3=${thresh3}`
  );
}

/**
 * The most `up` raises the machine-wide table to by itself (~100 bytes an entry in the
 * kernel: 64 MiB at most). A lab needing more gets the advice and the warning instead.
 */
export const MAX_NEIGHBOUR_RAISE = 1 << 19;

/** The limits to ask for when `needed` entries must fit: room to spare, a power of two. */
export function neighbourTarget(needed: number): { thresh2: number; thresh3: number } {
  const thresh3 = Math.max(4096, 2 ** Math.ceil(Math.log2(Math.max(1, needed) * 2)));
  return { thresh2: thresh3 / 2, thresh3 };
}

const NEIGH_DIR = '/proc/sys/net/ipv4/neigh/default';

/**
 * What to raise the limit to for a lab needing `needed` entries on a machine at `from`:
 * nothing when it fits (80%), never lower than today, never above MAX_NEIGHBOUR_RAISE.
 */
export function neighbourRaise(
  needed: number,
  from: number,
): { thresh2: number; thresh3: number } | undefined {
  if (needed <= from * 0.8) return undefined;
  const target = neighbourTarget(needed);
  const thresh3 = Math.min(target.thresh3, MAX_NEIGHBOUR_RAISE);
  if (thresh3 <= from) return undefined;
  return { thresh2: Math.min(target.thresh2, thresh3 / 2), thresh3 };
}

/**
 * Raises this machine's shared ARP table limits so a big lab fits, the fix neighbourAdvice
 * names, when we may (root, engine on this machine; never lowered, capped). Set
 * EGRESS_LAB_NO_SYSCTL=1 to leave the machine's settings alone. Returns what changed.
 */
export function raiseLocalNeighbourLimit(
  needed: number,
  env: NodeJS.ProcessEnv = process.env,
): { from: number; to: number } | undefined {
  if (env.EGRESS_LAB_NO_SYSCTL === '1' || process.getuid?.() !== 0) return undefined;
  const from = localNeighbourLimit();
  const raise = from === undefined ? undefined : neighbourRaise(needed, from);
  if (from === undefined || !raise) return undefined;
  try {
    // thresh3 first: the kernel wants gc_thresh2 <= gc_thresh3.
    writeFileSync(`${NEIGH_DIR}/gc_thresh3`, String(raise.thresh3));
    const t2 = Number(readFileSync(`${NEIGH_DIR}/gc_thresh2`, 'utf8').trim());
    if (!(t2 >= raise.thresh2)) writeFileSync(`${NEIGH_DIR}/gc_thresh2`, String(raise.thresh2));
  } catch {
    return undefined; // read-only /proc (a container), or not allowed: the warning stands
  }
  return { from, to: raise.thresh3 };
}
