// The IPv6 side of the lab's cross checks (checks.ts) and its warnings: mixed-family mistakes
// and what the lab does differently from Felix for IPv6.
import type { Problem } from '../errors.js';
import type { Lab } from '../model/lab.js';
import { peerIPAddress } from '../calico/bgp.js';
import { choosePools, IPV6POOLS_ANNOTATION } from '../calico/pool-choice.js';
import { poolVersion } from '../calico/ippool.js';
import { cidrToString, networksOverlap, parseCidr } from '../net/cidr.js';
import type { SourceIndex } from './source-index.js';

export const IPV6_ONLY_HINT =
  " — for IPv6-only pods set spec.cni.assignIpv4: false in the Lab (the CNI's assign_ipv4), else add an IPv4 pool (dual-stack)";

/** Errors: IPv6 pools over the lab's IPv6 networks, pods no IPv6 pool serves, IPv6 BGPPeers nobody answers. */
export function checkLabIpv6(lab: Lab, index: SourceIndex): Problem[] {
  const problems: Problem[] = [];
  if (!lab.fabric.ipv6Cidr) return problems;
  const fabric6 = parseCidr(lab.fabric.ipv6Cidr);
  const v6Pools = lab.ipPools.filter((p) => poolVersion(p) === 6);
  for (const pool of v6Pools) {
    if (pool.spec.disabled) continue;
    if (pool.spec.allowedUses.length === 1 && pool.spec.allowedUses[0] === 'LoadBalancer') continue;
    const c = parseCidr(pool.spec.cidr);
    if (!c) continue;
    const P = (message: string) =>
      problems.push(index.problem('IPPool', pool.name, ['spec', 'cidr'], message));
    if (fabric6 && networksOverlap(c, fabric6))
      P(
        `enabled IPPool(${pool.name}) CIDR ${pool.spec.cidr} overlaps the lab's IPv6 fabric ${lab.fabric.ipv6Cidr}: pod addresses would collide with the nodes' network`,
      );
    for (const host of lab.hosts) {
      if (!host.ipv6) continue;
      const seg = parseCidr(`${host.ipv6.address}/${host.ipv6.prefixLength}`);
      if (seg && networksOverlap(c, seg))
        P(
          `enabled IPPool(${pool.name}) CIDR ${pool.spec.cidr} overlaps host ${host.name}'s IPv6 segment ${cidrToString(seg)}: pods could get addresses of that network`,
        );
    }
  }
  // With IPv6 pools, Calico's CNI asks IPAM for both families: a pod no IPv6 pool serves fails.
  if (v6Pools.length > 0) {
    const nodes = new Map(lab.nodes.map((n) => [n.name, n]));
    lab.pods.forEach((pod, i) => {
      const node = nodes.get(pod.node);
      if (!node) return;
      const choice = choosePools(lab.ipPools, pod, node, 6);
      if (!choice.ok) {
        const path = choice.byAnnotation
          ? ['spec', 'pods', i, 'annotations', IPV6POOLS_ANNOTATION]
          : ['spec', 'pods', i];
        problems.push(
          index.problem('Lab', lab.name, path, `pod ${pod.name}: ${choice.error} (IPv6)`),
        );
      }
    });
  }
  return problems;
}

/** Whether an IPv6 BGPPeer address is a BGP speaker of the lab (the router or a node). */
export function ipv6PeerKnown(lab: Lab, peerIP: string): boolean | undefined {
  const ip = peerIPAddress(peerIP);
  if (!ip?.includes(':')) return undefined;
  return ip === lab.router.ipv6Address || lab.nodes.some((n) => n.ipv6Address === ip);
}

/** Warnings: IPv6 settings the lab accepts but where it differs from Felix, positioned. */
export function ipv6Warnings(lab: Lab, index: SourceIndex): Problem[] {
  const out: Problem[] = [];
  const v6Pools = lab.ipPools.filter((p) => poolVersion(p) === 6);
  if (!lab.fabric.ipv6Cidr) {
    for (const pool of v6Pools)
      out.push(
        index.problem(
          'IPPool',
          pool.name,
          ['spec', 'cidr'],
          `not modelled: ${pool.spec.cidr} is an IPv6 pool but the lab runs IPv4 only — set spec.fabric.ipv6Cidr in the Lab to give nodes, pods and hosts IPv6 addresses and program Felix's IPv6 rules`,
        ),
      );
    return out;
  }
  const natPools = v6Pools.filter((p) => p.spec.natOutgoing);
  const felixes = [lab.felixConfiguration, ...(lab.felixNodeConfigurations ?? [])];
  for (const f of felixes) {
    if (f.spec.natOutgoingAddress && natPools.length > 0)
      out.push(
        index.problem(
          'FelixConfiguration',
          f.name,
          ['spec', 'natOutgoingAddress'],
          `natOutgoingAddress is IPv4 only (Felix reads it as an IPv4 address): IPv6 pools with natOutgoing (${natPools.map((p) => p.name).join(', ')}) are masqueraded to the node's own IPv6 address`,
        ),
      );
  }
  out.push(...ipv6SupportWarnings(lab, index));
  return out;
}

/**
 * FelixConfiguration ipv6Support: false in a lab that runs IPv6: what Felix stops and what still
 * happens (calico/felix-ipv6.ts), said where it is set, naming the nodes it reaches.
 */
function ipv6SupportWarnings(lab: Lab, index: SourceIndex): Problem[] {
  const own = new Map((lab.felixNodeConfigurations ?? []).map((c) => [c.name, c]));
  const off = (name: string | undefined) =>
    lab.nodes.filter((n) => {
      const mine = own.get(`node.${n.name}`)?.spec.ipv6Support;
      const eff = mine ?? lab.felixConfiguration.spec.ipv6Support;
      if (eff !== false) return false;
      return name === undefined ? mine === undefined : `node.${n.name}` === name;
    });
  const natPools = lab.ipPools.filter((p) => poolVersion(p) === 6 && p.spec.natOutgoing);
  const out: Problem[] = [];
  for (const f of [lab.felixConfiguration, ...(lab.felixNodeConfigurations ?? [])]) {
    if (f.spec.ipv6Support !== false) continue;
    const nodes = off(f.name === 'default' ? undefined : f.name).map((n) => n.name);
    if (!nodes.length) continue;
    const nat = natPools.length
      ? ` IPv6 pools with natOutgoing (${natPools.map((p) => p.name).join(', ')}) are not NATed there: pods leave with their own IPv6 address.`
      : '';
    out.push(
      index.problem(
        'FelixConfiguration',
        f.name,
        ['spec', 'ipv6Support'],
        `ipv6Support is false: Felix on ${nodes.join(', ')} programs no IPv6 sets or NAT rules (no cali60 sets, no IPv6 nat table).${nat} Calico's CNI still gives pods IPv6 addresses from the IPv6 pools and routes them, and BIRD still exports the IPv6 blocks. The lab keeps net.ipv6.conf.all.forwarding=1 on the nodes (Felix sets it only with IPv6 on; Kubernetes dual-stack needs the host to have it), and a running lab drops its IPv6 NAT at once where a restarting Felix would leave the rules it had programmed`,
      ),
    );
  }
  return out;
}
