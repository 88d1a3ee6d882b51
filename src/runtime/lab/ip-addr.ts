// Parsing `ip -j addr` into interface/address pairs for status.

export interface IfaceAddress {
  ifname: string;
  address: string; // CIDR
}

export interface IfaceInfo {
  ifname: string;
  operstate: string;
  kind?: string; // link_type / info kind when present
  addresses: string[];
}

interface IpJsonEntry {
  ifname?: string;
  operstate?: string;
  link_type?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

export function parseIpAddrJson(json: string): IfaceInfo[] {
  const data = JSON.parse(json || '[]') as IpJsonEntry[];
  return data.map((e) => ({
    ifname: e.ifname ?? '',
    operstate: e.operstate ?? 'UNKNOWN',
    kind: e.linkinfo?.info_kind ?? e.link_type,
    addresses: (e.addr_info ?? [])
      .filter((a) => a.local && a.prefixlen !== undefined)
      .map((a) => `${a.local}/${a.prefixlen}`),
  }));
}

export function flattenAddresses(ifaces: readonly IfaceInfo[]): IfaceAddress[] {
  return ifaces.flatMap((i) => i.addresses.map((address) => ({ ifname: i.ifname, address })));
}
