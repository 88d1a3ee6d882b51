// Top-of-rack routers in the topology (fabric.racks[].tor): the running lab's containers of
// role `tor`, each serving the nodes whose address lies in the subnet of its rack bridge
// (br0). They sit in a row between the spine (the lab router) and the nodes.
import type { LabStatus } from '../api/types.js';

export interface TorCard {
  name: string;
  address: string; // its address on the rack (br0), CIDR
  addresses: string[]; // every address it holds (BGP peers name it by any)
}

const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0) >>> 0;

function inSubnet(cidr: string, address: string): boolean {
  const [ip = '', len = '32'] = cidr.split('/');
  const bits = Number(len);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(ip) & mask) >>> 0 === (toInt(address.split('/')[0]!) & mask) >>> 0;
}

export function torCards(lab: LabStatus): TorCard[] {
  return lab.containers
    .filter((c) => c.role === 'tor')
    .map((c) => ({
      name: c.name,
      address: c.addresses.find((a) => a.ifname === 'br0')?.address ?? '',
      addresses: c.addresses.map((a) => a.address.split('/')[0]!),
    }))
    .filter((t) => t.address !== '');
}

/** The ToR serving a node (its address in the ToR's rack subnet), if any. */
export function torOf(tors: readonly TorCard[], nodeAddress: string): string | undefined {
  return tors.find((t) => inSubnet(t.address, nodeAddress))?.name;
}
