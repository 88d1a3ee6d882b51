// The wire of a simulated lab: where a packet goes and what it looks like on the way,
// decided from the dataplane the runtime was last told to apply (the containers' plans),
// the way the kernels in a real lab decide it: routes (BGP-learned ones from the same
// BIRD data the core plans), the nat POSTROUTING walk (the core's evaluateNat over the
// node's rules and ipsets) for a connection's first packet, and conntrack keeping that
// translation for the connection's later packets and its replies until it is deleted.
import { evaluateNat } from '../../src/core/dataplane/evaluate.js';
import { cidrContains } from '../../src/core/net/cidr.js';
import { meshLearned, routerLearned } from '../../src/core/plan/bgp-routes.js';
import type { ContainerPlan, LabPlan, Role } from '../../src/core/plan/types.js';

export type Proto = 'icmp' | 'tcp' | 'udp';

/** One packet as a capture on `container` sees it. */
export interface Sighting {
  container: string;
  iface: string;
  direction: 'In' | 'Out';
  protocol: Proto;
  src: string;
  dst: string;
  /** ICMP id, or the TCP/UDP source port. */
  sport: number;
  dport: number;
  reply: boolean;
}

export interface Probe {
  from: string; // container
  dst: string; // address
  protocol: Proto;
  /** ICMP id, or the TCP/UDP source port: one connection per value. */
  flow: number;
  dport: number; // 0 for ICMP
  /** ICMP: the echo sequence number (ping's icmp_seq). */
  seq?: number;
}

export interface ProbeResult {
  /** The source address the destination saw, when the packet got there. */
  seen?: string;
  /** Whether the answer made it back to the sender. */
  replied: boolean;
  sightings: Sighting[];
}

/** A conntrack entry on a node, as `conntrack -L` lists it. */
export interface Flow {
  protocol: Proto;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** The source after SNAT/MASQUERADE, when the node translated it. */
  natTo?: string;
  replied: boolean;
  lastUsed: number;
}

/** Seconds an idle entry stays (the kernel's ICMP and unreplied UDP timeouts). */
export const FLOW_TIMEOUT_S = 30;

interface Owner {
  container: string;
  role: Role;
}

export class FakeWire {
  /** Conntrack per node. */
  readonly conntrack = new Map<string, Flow[]>();
  /** Packets per nat rule (its iptables-save line), per node: `iptables-save -c` counters. */
  readonly counters = new Map<string, Map<string, { packets: number; bytes: number }>>();

  constructor(
    private plan: LabPlan,
    private readonly now: () => number = Date.now,
  ) {}

  /** The dataplane as last applied: the runtime replaces changed containers. */
  setContainers(containers: readonly ContainerPlan[]): void {
    const byName = new Map(containers.map((c) => [c.name, c]));
    this.plan = {
      ...this.plan,
      containers: this.plan.containers.map((c) => byName.get(c.name) ?? c),
    };
  }

  container(name: string): ContainerPlan | undefined {
    return this.plan.containers.find((c) => c.name === name);
  }

  /** Addresses a container holds, plain. */
  addressesOf(name: string): string[] {
    return (this.container(name)?.interfaces ?? []).flatMap((i) =>
      i.addresses.map((a) => a.split('/')[0]!),
    );
  }

  private owner(address: string): Owner | undefined {
    const c = this.plan.containers.find((x) => this.addressesOf(x.name).includes(address));
    return c ? { container: c.name, role: c.role } : undefined;
  }

  private linked(a: string, b: string): boolean {
    return this.plan.links.some(
      (l) =>
        (l.a.container === a && l.b.container === b) ||
        (l.a.container === b && l.b.container === a),
    );
  }

  /** The interface of `from` on its link to `to`. */
  private linkIf(from: string, to: string): string {
    for (const l of this.plan.links) {
      if (l.a.container === from && l.b.container === to) return l.a.ifname;
      if (l.b.container === from && l.a.container === to) return l.b.ifname;
    }
    throw new Error(`fake wire: no link between ${from} and ${to}`);
  }

  private podNode(pod: string): string | undefined {
    return this.plan.ipam.assignments.find((a) => a.pod === pod)?.node;
  }

  /** The next container toward `dst` from `at`, or undefined where the packet is dropped. */
  private nextHop(at: ContainerPlan, dst: string): string | undefined {
    const owner = this.owner(dst);
    const router = this.plan.lab.router.name;
    switch (at.role) {
      case 'pod':
        return this.podNode(at.name);
      case 'host':
        return router;
      case 'node': {
        if (owner?.role === 'pod') {
          const node = this.podNode(owner.container);
          if (node === at.name) return owner.container;
          // Across the fabric when the mesh taught this node the pod's block, else via the router.
          if (meshLearned(this.plan, at.name).some((r) => cidrContains(r.cidr, dst))) return node;
          return router;
        }
        if (owner?.role === 'node') return owner.container;
        return router;
      }
      case 'router': {
        if (owner?.role === 'host' || owner?.role === 'node') return owner.container;
        if (cidrContains(this.plan.lab.fabric.cidr, dst)) return undefined; // nobody holds it
        const learned = routerLearned(this.plan)
          .filter((r) => cidrContains(r.cidr, dst))
          .sort((a, b) => Number(b.cidr.split('/')[1]) - Number(a.cidr.split('/')[1]))[0];
        return learned?.node; // no route: dropped
      }
    }
  }

  private flowsOf(node: string): Flow[] {
    const now = this.now();
    const live = (this.conntrack.get(node) ?? []).filter(
      (f) => now - f.lastUsed < FLOW_TIMEOUT_S * 1000,
    );
    this.conntrack.set(node, live);
    return live;
  }

  /** POSTROUTING on a node: the flow's translation, from conntrack or the nat rules. */
  private postrouting(
    node: ContainerPlan,
    p: Omit<Sighting, 'container' | 'iface' | 'direction'>,
    outIf: string,
  ): string {
    const flows = this.flowsOf(node.name);
    const same = (f: Flow): boolean =>
      f.protocol === p.protocol &&
      f.src === p.src &&
      f.dst === p.dst &&
      f.sport === p.sport &&
      f.dport === p.dport;
    let flow = flows.find(same);
    if (!flow) {
      let natTo: string | undefined;
      if (node.dataplane) {
        const verdict = evaluateNat(node.dataplane, {
          src: p.src,
          dst: p.dst,
          outIf,
          protocol: p.protocol,
        });
        const counters = this.counters.get(node.name) ?? new Map();
        this.counters.set(node.name, counters);
        for (const hit of verdict.visited) {
          const c = counters.get(hit.text) ?? { packets: 0, bytes: 0 };
          c.packets++;
          c.bytes += 84;
          counters.set(hit.text, c);
        }
        if (verdict.action !== 'none' && verdict.toSource) natTo = verdict.toSource;
      }
      flow = { ...p, replied: false, lastUsed: 0, ...(natTo ? { natTo } : {}) };
      flows.push(flow);
    }
    flow.lastUsed = this.now();
    return flow.natTo ?? p.src;
  }

  /** PREROUTING on a node for a reply: undoes the translation of the flow it answers. */
  private deNat(node: string, p: Omit<Sighting, 'container' | 'iface' | 'direction'>): string {
    const flow = this.flowsOf(node).find(
      (f) =>
        f.protocol === p.protocol &&
        f.dst === p.src &&
        (f.natTo ?? f.src) === p.dst &&
        // ICMP: the echo id both ways; TCP/UDP: the ports swapped
        (p.protocol === 'icmp' ? f.sport === p.sport : f.sport === p.dport && f.dport === p.sport),
    );
    if (!flow) return p.dst;
    flow.replied = true;
    flow.lastUsed = this.now();
    return flow.src;
  }

  /** Carries one packet from `from` toward its destination; where it went, and who got it. */
  private carry(
    from: string,
    packet: Omit<Sighting, 'container' | 'iface' | 'direction'>,
    out: Sighting[],
  ): { at: string; packet: typeof packet } | undefined {
    let at = this.container(from)!;
    let p = { ...packet };
    for (let hops = 0; hops < 12; hops++) {
      if (this.addressesOf(at.name).includes(p.dst)) return { at: at.name, packet: p };
      const next = this.nextHop(at, p.dst);
      if (!next) return undefined;
      const nextPlan = this.container(next)!;
      // Two nodes have no link of their own: they meet on the router's bridge (the fabric).
      const via = this.linked(at.name, next) ? undefined : this.plan.lab.router.name;
      const outIf = this.linkIf(at.name, via ?? next);
      if (at.role === 'node' && !p.reply) p = { ...p, src: this.postrouting(at, p, outIf) };
      out.push({ container: at.name, iface: outIf, direction: 'Out', ...p });
      if (via) {
        out.push({ container: via, iface: this.linkIf(via, at.name), direction: 'In', ...p });
        out.push({ container: via, iface: this.linkIf(via, next), direction: 'Out', ...p });
      }
      out.push({
        container: next,
        iface: this.linkIf(next, via ?? at.name),
        direction: 'In',
        ...p,
      });
      if (nextPlan.role === 'node' && p.reply) p = { ...p, dst: this.deNat(next, p) };
      at = nextPlan;
    }
    return undefined;
  }

  /** Sends one probe (a request and, if it is answered, the answer) through the lab. */
  send(probe: Probe, answers: (to: string, p: Probe) => boolean): ProbeResult {
    const sightings: Sighting[] = [];
    const src = this.addressesOf(probe.from)[0];
    if (!src) throw new Error(`fake wire: ${probe.from} has no address`);
    const request = {
      protocol: probe.protocol,
      src,
      dst: probe.dst,
      sport: probe.flow,
      dport: probe.dport,
      reply: false,
    };
    const got = this.carry(probe.from, request, sightings);
    if (!got) return { replied: false, sightings };
    const seen = got.packet.src;
    if (!answers(got.at, probe)) return { seen, replied: false, sightings };
    // An ICMP echo reply carries the request's id; TCP/UDP answers swap the ports.
    const icmp = probe.protocol === 'icmp';
    const answer = {
      protocol: probe.protocol,
      src: probe.dst,
      dst: seen,
      sport: icmp ? probe.flow : probe.dport,
      dport: icmp ? 0 : probe.flow,
      reply: true,
    };
    const back = this.carry(got.at, answer, sightings);
    return { seen, replied: back?.at === probe.from, sightings };
  }
}
