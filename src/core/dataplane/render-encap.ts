// A node's tunnel devices and entries (EncapDataplane) as the tools' input, applied by
// runtime/agent/apply.sh before the node's other routes:
// - `devices`: one `ip` command per line (`link add …`), run only when the device is missing
//   or its settings changed, the way Felix re-creates an incompatible vxlan.calico;
// - `ipBatch`: `ip -batch` input: MTU and link up, the tunnel address (/32, as Felix sets
//   it), the remote VTEPs' ARP entries (nud permanent), the routes on the devices (onlink);
// - `fdbBatch`: `bridge -batch` input: the remote VTEPs' FDB entries (MAC -> node address).
// The vxlan device has no `dev eth0` (Felix's VtepDevIndex): `up` applies a new node before
// its veths exist; the outer packets still leave from the node's address by its routes.
// The devices ask for an interface index of their own (TUNNEL_IFINDEX): `up` applies a new node
// while its veths are being made, and those ask for low indexes (runtime/wiring/steps.ts: link k
// gets 2k+2 and 2k+3), which a device made first would otherwise take.
// Every value is checked here, so the lines split safely into words in the shell.
import type { EncapDataplane } from './encap-types.js';

/** Far above the wiring's veth indexes (a lab has at most 1,500 containers). */
export const TUNNEL_IFINDEX = { ipip: 65536, vxlan: 65537, egress: 65538 };

export interface RenderedEncap {
  devices: string;
  ipBatch: string;
  fdbBatch: string;
  /** The devices the node has, one per line (apply.sh deletes the others it made). */
  names: string;
}

const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
const V4 = /^(\d{1,3})(\.\d{1,3}){3}$/;
const CIDR = /^(\d{1,3})(\.\d{1,3}){3}\/\d{1,2}$/;

function check(re: RegExp, v: string, what: string): string {
  if (!re.test(v)) throw new Error(`bad ${what} "${v}"`);
  return v;
}

function int(v: number, min: number, max: number, what: string): string {
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`bad ${what} ${v}`);
  return String(v);
}

const lines = (l: string[]) => (l.length ? `${l.join('\n')}\n` : '');

export function renderEncap(e: EncapDataplane): RenderedEncap {
  const devices: string[] = [];
  const ip: string[] = [];
  const fdb: string[] = [];
  const names: string[] = [];
  if (e.ipip) {
    const dev = check(IFNAME, e.ipip.name, 'device');
    names.push(dev);
    // tunl0 is the ipip module's fallback device: it may exist already (Felix ignores EEXIST).
    devices.push(`link add name ${dev} index ${TUNNEL_IFINDEX.ipip} type ipip`);
    ip.push(
      `link set dev ${dev} mtu ${int(e.ipip.mtu, 68, 65535, 'MTU')} up`,
      `addr replace ${check(V4, e.ipip.address, 'address')}/32 dev ${dev}`,
    );
  }
  if (e.vxlan) {
    const v = e.vxlan;
    const dev = check(IFNAME, v.name, 'device');
    names.push(dev);
    devices.push(
      [
        `link add name ${dev} index ${TUNNEL_IFINDEX.vxlan} address ${check(MAC, v.mac, 'MAC')}`,
        `mtu ${int(v.mtu, 68, 65535, 'MTU')} type vxlan id ${int(v.vni, 1, 16777215, 'VNI')}`,
        `local ${check(V4, v.local, 'address')} dstport ${int(v.port, 1, 65535, 'port')} nolearning`,
      ].join(' '),
    );
    ip.push(
      `link set dev ${dev} mtu ${v.mtu} up`,
      `addr replace ${check(V4, v.address, 'address')}/32 dev ${dev}`,
    );
    for (const p of e.vxlanPeers) {
      ip.push(
        `neigh replace ${check(V4, p.address, 'address')} lladdr ${check(MAC, p.mac, 'MAC')} dev ${dev} nud permanent`,
      );
      fdb.push(`fdb replace ${p.mac} dev ${dev} dst ${check(V4, p.dst, 'address')} self permanent`);
    }
  }
  if (e.egress) {
    // Calico Enterprise's egress.calico (egress-vxlan-types.ts): no address; per gateway on
    // another node, its pod address -> that node's VTEP MAC, and the MAC -> the node's address.
    const v = e.egress.device;
    const dev = check(IFNAME, v.name, 'device');
    names.push(dev);
    devices.push(
      [
        `link add name ${dev} index ${TUNNEL_IFINDEX.egress} address ${check(MAC, v.mac, 'MAC')}`,
        `mtu ${int(v.mtu, 68, 65535, 'MTU')} type vxlan id ${int(v.vni, 1, 16777215, 'VNI')}`,
        `local ${check(V4, v.local, 'address')} dstport ${int(v.port, 1, 65535, 'port')} nolearning`,
      ].join(' '),
    );
    ip.push(`link set dev ${dev} mtu ${v.mtu} up`);
    const macs = new Set<string>();
    for (const g of e.egress.gateways) {
      ip.push(
        `neigh replace ${check(V4, g.address, 'address')} lladdr ${check(MAC, g.mac, 'MAC')} dev ${dev} nud permanent`,
      );
      if (macs.has(g.mac)) continue;
      macs.add(g.mac);
      fdb.push(`fdb replace ${g.mac} dev ${dev} dst ${check(V4, g.dst, 'address')} self permanent`);
    }
    for (const r of e.egress.routes)
      ip.push(
        `route replace default via ${check(V4, r.via, 'gateway')} dev ${dev} onlink table ${int(r.table, 1, 252, 'table')}`,
      );
  }
  for (const r of e.routes) {
    ip.push(
      `route replace ${check(CIDR, r.dst, 'route')} via ${check(V4, r.via, 'gateway')} dev ${check(IFNAME, r.dev, 'device')} onlink`,
    );
  }
  return {
    devices: lines(devices),
    ipBatch: lines(ip),
    fdbBatch: lines(fdb),
    names: lines(names),
  };
}

/** The same, as the commands a user would type (display: `rules --format routes`). */
export function renderEncapCommands(e: EncapDataplane): string {
  const r = renderEncap(e);
  const out = [
    ...r.devices
      .split('\n')
      .filter(Boolean)
      .map((l) => `ip ${l}`),
    ...r.ipBatch
      .split('\n')
      .filter(Boolean)
      .map((l) => `ip ${l}`),
    ...r.fdbBatch
      .split('\n')
      .filter(Boolean)
      .map((l) => `bridge ${l}`),
  ];
  return lines(out);
}
