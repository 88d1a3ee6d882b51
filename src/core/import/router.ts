// Import step: the router and the fabric, at the address the customer's BGPPeers point at
// when that fits (so the peers stay as given), else on a fabric clear of every pool; then the
// BGPPeers that point elsewhere, mapped onto the router.
import { peerIPAddress } from '../calico/bgp.js';
import { intToIp, isIPv4, parseCidr4 } from '../net/cidr.js';
import { FABRIC_CANDIDATES, firstFree, overlapsAny, slash24Of, usableIn24 } from './addresses.js';
import { enabledV4Cidrs, fail, v4Cidrs, type ImportContext, type ImportInputs } from './context.js';

const DEFAULT_ROUTER_AS = 64500;

export function placeRouter(inputs: ImportInputs): Pick<ImportContext, 'router' | 'fabric'> {
  const { resources, report } = inputs;
  const enabledV4 = enabledV4Cidrs(inputs.pools);
  for (const peer of resources.bgpPeers) {
    const ip = peer.spec.peerIP ? peerIPAddress(peer.spec.peerIP) : undefined;
    if (!ip || !isIPv4(ip) || !usableIn24(ip)) continue;
    const seg = slash24Of(ip);
    // Inside a disabled pool is fine (nodes in a no-NAT range, as at the customer's); inside an
    // enabled one the router would take a pod address.
    if (overlapsAny(seg, enabledV4)) continue;
    report.push(
      `router tor takes ${ip} (AS ${peer.spec.asNumber}), the address BGPPeer(${peer.name}) points at; the fabric is ${seg}`,
    );
    return { router: { address: ip, asNumber: peer.spec.asNumber }, fabric: seg };
  }
  const fabric = firstFree(FABRIC_CANDIDATES, v4Cidrs(inputs.pools));
  if (!fabric)
    fail(`no fabric range is clear of the pools (tried ${FABRIC_CANDIDATES.join(', ')})`);
  const clusterAS =
    resources.bgpConfigurations.find((c) => c.name === 'default')?.spec.asNumber ?? 64512;
  const asNumber = clusterAS === DEFAULT_ROUTER_AS ? 65000 : DEFAULT_ROUTER_AS;
  return { router: { address: intToIp((parseCidr4(fabric).base + 1) >>> 0), asNumber }, fabric };
}

/** BGPPeers are kept when they point at the router; otherwise mapped onto it (IPv6: left out). */
export function mapPeersOntoRouter(ctx: ImportContext): void {
  const { router, report } = ctx;
  for (const peer of ctx.resources.bgpPeers) {
    if (!peer.spec.peerIP) continue; // peerSelector (node-to-node) peers stay as they are
    const ip = peerIPAddress(peer.spec.peerIP);
    if (!ip || !isIPv4(ip)) {
      ctx.droppedPeers.add(peer.name);
      report.push(
        `BGPPeer(${peer.name}) peers with ${peer.spec.peerIP} (IPv6): left out, the imported lab runs IPv4 only`,
      );
      continue;
    }
    if (ip === router.address && peer.spec.asNumber === router.asNumber) continue;
    ctx.peerRewrites.set(peer.name, { peerIP: router.address, asNumber: router.asNumber });
    report.push(
      `BGPPeer(${peer.name}) points at ${peer.spec.peerIP} (AS ${peer.spec.asNumber}), which nothing in the lab answers: mapped onto the router (${router.address}, AS ${router.asNumber})`,
    );
  }
}
