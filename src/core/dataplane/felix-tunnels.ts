// What Felix adds to the nat table and ipsets when a tunnel is on, as data:
// - felix/rules/static.go StaticNATPostroutingChains (v3.30.7): after the two jumps of
//   cali-POSTROUTING, per tunnel device (tunl0, vxlan.calico, the WireGuard device, in that
//   order) a MASQUERADE of packets leaving through the tunnel from a local address that is not
//   the tunnel's own (`--limit-iface-out`): the node's own traffic takes the tunnel address.
// - release-v3.33's static.go (calico#12244 / #13118): with VXLAN on, each tunnel rule is
//   preceded by a UDP one whose ports leave out the VXLAN port (masqPortRangeExcluding), so a
//   masqueraded flow never takes the VXLAN port as its source port.
// - felix/dataplane/linux/ipip_mgr.go: `cali40all-hosts-net`, every node's address (IPIP on);
//   vxlan_mgr.go: `cali40all-vxlan-net`, every remote VTEP's node address (VXLAN on). Felix's
//   filter rules (not modelled by the lab) use them to accept tunnel packets from nodes only.
import type { IpSet, Rule } from './types.js';

export const IPIP_DEVICE = 'tunl0';
export const VXLAN_DEVICE = 'vxlan.calico';
export const WIREGUARD_DEVICE = 'wireguard.cali';
export const IPSET_ALL_VXLAN_NET = 'cali40all-vxlan-net';
export const DEFAULT_VXLAN_PORT = 4789;
export const DEFAULT_VXLAN_VNI = 4096;

const UDP = 17;

/** static.go masqPortRangeExcluding: the wider side of the port, never below 1024. */
export function masqPortRangeExcluding(port: number): string {
  if (port <= 0 || port > 65535) return '';
  const lo = 1024;
  const hi = 65535;
  if (port - lo >= hi - port) return `${lo}-${port - 1}`;
  return `${port + 1}-${hi}`;
}

/** The rules Felix appends to cali-POSTROUTING for these tunnel devices. */
export function tunnelMasqRules(devices: string[], udpToPorts?: string): Rule[] {
  const out: Rule[] = [];
  const notOwn = (dev: string): Rule['match'] => [
    { kind: 'outInterface', name: dev },
    { kind: 'srcAddrType', addrType: 'LOCAL', limitIfaceOut: true, negate: true },
    { kind: 'srcAddrType', addrType: 'LOCAL', limitIfaceOut: false },
  ];
  for (const dev of devices) {
    if (udpToPorts)
      out.push({
        match: [{ kind: 'protocolNum', num: UDP }, ...notOwn(dev)],
        action: { kind: 'masquerade', toPorts: udpToPorts, randomFully: true },
      });
    out.push({ match: notOwn(dev), action: { kind: 'masquerade', randomFully: true } });
  }
  return out;
}

/** The tunnel ipsets: all-hosts-net (IPIP) and all-vxlan-net (VXLAN), members as /32. */
export function tunnelIpSets(
  ipip: boolean,
  vxlan: boolean,
  nodeAddresses: string[],
  remoteVteps: string[],
): IpSet[] {
  const net = (a: string) => (a.includes('/') ? a : `${a}/32`);
  const sets: IpSet[] = [];
  if (ipip)
    sets.push({
      name: 'cali40all-hosts-net',
      type: 'hash:net',
      family: 'inet',
      members: [...new Set(nodeAddresses.map(net))].sort(byAddress),
    });
  if (vxlan)
    sets.push({
      name: IPSET_ALL_VXLAN_NET,
      type: 'hash:net',
      family: 'inet',
      members: [...new Set(remoteVteps.map(net))].sort(byAddress),
    });
  return sets;
}

function byAddress(a: string, b: string): number {
  const n = (c: string) =>
    c
      .split('/')[0]!
      .split('.')
      .reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(a) - n(b);
}
