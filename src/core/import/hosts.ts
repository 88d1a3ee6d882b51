// Import step: the hosts, an internet host in a documentation range and a host inside each
// disabled pool (traffic to a disabled pool is not NATed: the docs' no-NAT trick).
import { intToIp, parseCidr4 } from '../net/cidr.js';
import { INTERNET_CANDIDATES, firstFree, segmentInside, slash24Of } from './addresses.js';
import { enabledV4Cidrs, isV4Pool, uniqueName, v4Cidrs, type ImportContext } from './context.js';
import { dnsLabel } from './dns-label.js';

export function addHosts(ctx: ImportContext): void {
  const { fabric, report } = ctx;
  for (const n of ctx.nodes.list) ctx.usedNames.add(n.name);
  ctx.usedNames.add('tor');
  // Hosts placed before (destinations the user named) keep their segments.
  const earlier = ctx.hosts.map((h) => slash24Of(h.address.split('/')[0]!));
  const avoid = [...v4Cidrs(ctx.pools), fabric, ...earlier];
  const internetSeg = firstFree(INTERNET_CANDIDATES, avoid);
  if (internetSeg) {
    const address = intToIp((parseCidr4(internetSeg).base + 10) >>> 0);
    ctx.hosts.push({ name: uniqueName(ctx, 'internet'), address: `${address}/24` });
  } else {
    report.push('every documentation range lies in a pool: no internet host');
  }
  const segmentsTaken = [fabric, ...earlier, ...(internetSeg ? [internetSeg] : [])];
  const enabledV4 = enabledV4Cidrs(ctx.pools);
  for (const pool of ctx.pools.filter((p) => isV4Pool(p) && p.spec.disabled)) {
    const inside = segmentInside(pool.spec.cidr, [...enabledV4, ...segmentsTaken]);
    if (!inside) {
      report.push(`IPPool(${pool.name}) ${pool.spec.cidr}: no room for a host inside it`);
      continue;
    }
    segmentsTaken.push(inside.segment);
    const prefix = inside.segment.split('/')[1];
    ctx.hosts.push({
      name: uniqueName(ctx, `in-${dnsLabel(pool.name)}`),
      address: `${inside.host}/${prefix}`,
    });
  }
}
