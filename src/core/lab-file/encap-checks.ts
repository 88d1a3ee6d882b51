// Encapsulation and racks across a lab:
// - errors: an enabled pool or a host segment overlapping a rack other than the first (the
//   first rack is the fabric checks.ts and lab-hosts.ts already compare against); a tunnel
//   device name (wireguardInterfaceName) that is an interface the lab already uses;
// - warnings: CrossSubnet on a lab whose nodes all share one subnet. Calico then encapsulates
//   nothing (every node is on the same subnet: it behaves as Never there), which is seldom
//   what the file means.
import type { Problem } from '../errors.js';
import type { Lab } from '../model/lab.js';
import { labRacks, nodeRack } from '../model/racks.js';
import { cidrToString, networksOverlap, parseCidr } from '../net/cidr.js';
import type { SourceIndex } from './source-index.js';

const LAB_INTERFACES = ['eth0', 'lo', 'tunl0', 'vxlan.calico'];

export function encapProblems(lab: Lab, index: SourceIndex): Problem[] {
  const problems: Problem[] = [];
  const racks = labRacks(lab);
  racks.slice(1).forEach((rack) => {
    const rc = parseCidr(rack.cidr);
    if (!rc) return;
    for (const pool of lab.ipPools) {
      if (pool.spec.disabled) continue;
      if (pool.spec.allowedUses.length === 1 && pool.spec.allowedUses[0] === 'LoadBalancer')
        continue;
      const c = parseCidr(pool.spec.cidr);
      if (c && networksOverlap(c, rc))
        problems.push(
          index.problem(
            'IPPool',
            pool.name,
            ['spec', 'cidr'],
            `enabled IPPool(${pool.name}) CIDR ${pool.spec.cidr} overlaps rack ${rack.name} (${rack.cidr}): pod addresses would collide with the nodes' network`,
          ),
        );
    }
    lab.hosts.forEach((h, j) => {
      const seg = parseCidr(`${h.address}/${h.prefixLength}`);
      if (seg && networksOverlap(seg, rc))
        problems.push(
          index.problem(
            'Lab',
            lab.name,
            ['spec', 'hosts', j, 'address'],
            `host segment ${cidrToString(seg)} overlaps rack ${rack.name} (${rack.cidr})`,
          ),
        );
    });
  });
  const felixes = [lab.felixConfiguration, ...(lab.felixNodeConfigurations ?? [])];
  for (const f of felixes) {
    const name = f.spec.wireguardInterfaceName;
    if (name && LAB_INTERFACES.includes(name))
      problems.push(
        index.problem(
          'FelixConfiguration',
          f.name,
          ['spec', 'wireguardInterfaceName'],
          `wireguardInterfaceName ${JSON.stringify(name)} is an interface the node already has (${LAB_INTERFACES.join(', ')})`,
        ),
      );
  }
  return problems;
}

export function encapWarnings(lab: Lab, index: SourceIndex): Problem[] {
  const subnets = new Set(lab.nodes.map((n) => nodeRack(lab, n).name));
  if (subnets.size > 1) return [];
  const out: Problem[] = [];
  for (const pool of lab.ipPools) {
    for (const field of ['ipipMode', 'vxlanMode'] as const) {
      if (pool.spec[field] !== 'CrossSubnet') continue;
      out.push({
        ...index.problem(
          'IPPool',
          pool.name,
          ['spec', field],
          `${field} CrossSubnet on a lab whose nodes share one subnet (${nodeRack(lab, lab.nodes[0]!).cidr}): nothing is encapsulated, it behaves as Never here; give the fabric several racks (spec.fabric.racks) to see CrossSubnet at work`,
        ),
        severity: 'warning',
      });
    }
  }
  return out;
}
