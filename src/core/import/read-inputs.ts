// Import step: the customer's resources, loaded and validated as a lab file's would be, and what
// the lab cannot run of them as given (IPv6 pools, tunnels).
import { defaultIPv4Pool } from '../calico/ippool.js';
import { loadResources } from '../lab-file/load.js';
import type { LabSource } from '../lab-file/source.js';
import { fail, isV4Pool, type ImportInputs } from './context.js';

export function readInputs(sources: readonly LabSource[], labName: string): ImportInputs {
  if (sources.length === 0) fail('give at least one file of Calico resources');
  const resources = loadResources(sources); // invalid resources: LabInputError with positions
  if (resources.lab) {
    fail(
      'this is already a lab file (it has a Lab document): start it with `egress-lab up`',
      sources[0]!.file,
    );
  }
  const report: string[] = [];
  // With no IPPool the lab, like calico-node, runs with the auto-created default pool.
  const pools = resources.ipPools.length ? resources.ipPools : [defaultIPv4Pool()];
  if (resources.ipPools.length === 0)
    report.push("no IPPool given: the lab uses calico-node's auto-created default-ipv4-ippool");
  for (const p of pools.filter((x) => !isV4Pool(x)))
    report.push(
      `IPPool(${p.name}) ${p.spec.cidr} is IPv6: kept, but the imported lab runs IPv4 only (add spec.fabric.ipv6Cidr to run it dual-stack)`,
    );
  for (const p of pools.filter(
    (x) => isV4Pool(x) && (x.spec.ipipMode !== 'Never' || x.spec.vxlanMode !== 'Never'),
  ))
    report.push(
      `IPPool(${p.name}) uses ${p.spec.ipipMode !== 'Never' ? `ipipMode ${p.spec.ipipMode}` : `vxlanMode ${p.spec.vxlanMode}`}: kept, but the lab routes without tunnels (NAT behaves the same)`,
    );
  return { sources, labName, resources, pools, report };
}
