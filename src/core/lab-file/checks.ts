// Checks across a validated lab: what each resource is fine on its own but wrong together.
// Works on the model, so it serves loading, apply and patch alike; positions come from the
// index when the resource came from a file.
import type { Problem } from '../errors.js';
import { routerAddresses } from '../model/racks.js';
import type { Lab } from '../model/lab.js';
import { peerIPAddress } from '../calico/bgp.js';
import { cidrToString, networksOverlap, parseCidr } from '../net/cidr.js';
import { choosePools } from '../calico/pool-choice.js';
import { IPADDRS_ANNOTATION } from '../calico/ip-addrs.js';
import type { SourceIndex } from './source-index.js';
import { checkLabIpv6, IPV6_ONLY_HINT, ipv6PeerKnown } from './checks-ipv6.js';
import { assignsIpv4 } from '../model/ip-families.js';
import { ipv6OnlyLabProblems } from './lab-ipv6-only.js';
import { checkTors } from './tor-checks.js';
import { torAt } from '../model/tor.js';

export interface CheckOptions {
  /** The lab's pool list is calico-node's auto-created default pool (no IPPool in the file). */
  autoPool?: boolean;
}

/**
 * Every router, node, pod and host is a container on the user's engine. The largest lab
 * measured (100 nodes x 10 pods, 1,102 containers) took ~200 s to start on 2 cores; past this
 * a lab is more likely a typo than a plan, and would hold the machine for many minutes.
 */
export const MAX_LAB_CONTAINERS = 1500;

export function checkLab(lab: Lab, index: SourceIndex, opts: CheckOptions = {}): Problem[] {
  const problems: Problem[] = [];
  const labProblem = (path: (string | number)[], message: string) =>
    problems.push(index.problem('Lab', lab.name, path, message));
  const poolProblem = (name: string, path: (string | number)[], message: string) => {
    if (opts.autoPool) {
      labProblem(
        ['spec'],
        `${message} (this is calico-node's auto-created default-ipv4-ippool: the file has no IPPool; add one)`,
      );
    } else problems.push(index.problem('IPPool', name, path, message));
  };

  const containers = 1 + lab.nodes.length + lab.pods.length + lab.hosts.length;
  if (containers > MAX_LAB_CONTAINERS) {
    labProblem(
      ['spec', lab.pods.length >= lab.nodes.length ? 'pods' : 'nodes'],
      `the lab would run ${containers} containers (1 router, ${lab.nodes.length} nodes, ${lab.pods.length} pods, ${lab.hosts.length} hosts); a lab runs at most ${MAX_LAB_CONTAINERS}`,
    );
  }

  // An enabled pool must not hand out pod addresses that belong to the fabric or a host's
  // segment. A disabled pool covering a host's range is the docs' no-NAT trick and is fine; a
  // LoadBalancer-only pool hands out no pod address (a host in it stands for a VIP served
  // elsewhere, e.g. another cluster's shared LoadBalancer pool, calico#12767).
  const fabric = parseCidr(lab.fabric.cidr);
  for (const pool of lab.ipPools) {
    if (pool.spec.disabled) continue;
    if (pool.spec.allowedUses.length === 1 && pool.spec.allowedUses[0] === 'LoadBalancer') continue;
    const c = parseCidr(pool.spec.cidr);
    if (!c) continue;
    if (fabric && networksOverlap(c, fabric)) {
      poolProblem(
        pool.name,
        ['spec', 'cidr'],
        `enabled IPPool(${pool.name}) CIDR ${pool.spec.cidr} overlaps the lab fabric ${lab.fabric.cidr}: pod addresses would collide with the nodes' network`,
      );
    }
    for (const host of lab.hosts) {
      const seg = parseCidr(`${host.address}/${host.prefixLength}`);
      if (seg && networksOverlap(c, seg)) {
        poolProblem(
          pool.name,
          ['spec', 'cidr'],
          `enabled IPPool(${pool.name}) CIDR ${pool.spec.cidr} overlaps host ${host.name}'s segment ${cidrToString(seg)}: pods could get addresses of that network (to exclude a range from NAT, make the pool disabled: true)`,
        );
      }
    }
  }

  // Every pod must get an address by Calico's rules.
  const nodes = new Map(lab.nodes.map((n) => [n.name, n]));
  lab.pods.forEach((pod, i) => {
    const node = nodes.get(pod.node);
    if (!node) {
      labProblem(
        ['spec', 'pods', i, 'node'],
        `pod ${pod.name} is on node ${JSON.stringify(pod.node)}, which is not a node of this lab`,
      );
      return;
    }
    // An ipAddrs pod bypasses pool choice (AssignIP); IPAM checks its address.
    if (pod.annotations[IPADDRS_ANNOTATION] !== undefined) return;
    if (!assignsIpv4(lab)) return; // IPv6-only: no IPv4 address asked for (checks-ipv6.ts)
    const choice = choosePools(lab.ipPools, pod, node);
    if (!choice.ok) {
      const path = choice.byAnnotation
        ? ['spec', 'pods', i, 'annotations', 'cni.projectcalico.org/ipv4pools']
        : ['spec', 'pods', i];
      // Only IPv6 pools: point at IPv6-only pods (spec.cni.assignIpv4) rather than only "not IPv4".
      const v6only = lab.ipPools.length > 0 && lab.ipPools.every((p) => p.spec.cidr.includes(':'));
      labProblem(path, `pod ${pod.name}: ${choice.error}${v6only ? IPV6_ONLY_HINT : ''}`);
    }
  });

  // A BGPPeer must point at someone who answers: the router or a node.
  const nodeByAddress = new Map(lab.nodes.map((n) => [n.address, n.name]));
  for (const peer of lab.bgpPeers) {
    const P = (path: (string | number)[], message: string) =>
      problems.push(index.problem('BGPPeer', peer.name, path, message));
    if (peer.spec.node && !nodes.has(peer.spec.node)) {
      P(
        ['spec', 'node'],
        `node ${JSON.stringify(peer.spec.node)} is not a node of this lab (nodes: ${[...nodes.keys()].join(', ')})`,
      );
    }
    if (!peer.spec.peerIP) {
      if (!peer.spec.peerSelector)
        P(['spec'], 'a BGPPeer needs peerIP (or peerSelector for node-to-node peerings)');
      continue;
    }
    // An IPv6 peerIP (bird6's peers): the router's or a node's IPv6 address (checks-ipv6.ts).
    const known6 = ipv6PeerKnown(lab, peer.spec.peerIP);
    if (known6 === false) {
      P(
        ['spec', 'peerIP'],
        `peerIP ${peer.spec.peerIP} is neither the router's IPv6 address (${lab.router.ipv6Address ?? 'none: set spec.fabric.ipv6Cidr'}) nor a node's: nobody would answer this peer`,
      );
      continue;
    }
    const ip = peerIPAddress(peer.spec.peerIP);
    if (known6 === true && ip !== lab.router.ipv6Address) continue;
    if (ip !== undefined && torAt(lab, ip)) continue; // a rack's ToR: tor-checks.ts
    // With racks the router answers on each rack's address (model/racks.ts).
    const atRouter = ip !== undefined && routerAddresses(lab).includes(ip);
    if (atRouter || (known6 === true && ip === lab.router.ipv6Address)) {
      if (peer.spec.asNumber !== lab.router.asNumber) {
        P(
          ['spec', 'asNumber'],
          `asNumber ${peer.spec.asNumber} does not match the router's AS ${lab.router.asNumber} (spec.router.asNumber of the Lab): the session would never come up`,
        );
      }
    } else if (ip === undefined || !nodeByAddress.has(ip)) {
      P(
        ['spec', 'peerIP'],
        `peerIP ${peer.spec.peerIP} is neither the router (${lab.router.name}, ${lab.router.address}) nor a node of this lab: nobody would answer this peer`,
      );
    }
  }
  problems.push(...checkLabIpv6(lab, index));
  problems.push(...ipv6OnlyLabProblems(lab, index));
  problems.push(...checkTors(lab, index)); // racks with their own top-of-rack router
  return problems;
}
