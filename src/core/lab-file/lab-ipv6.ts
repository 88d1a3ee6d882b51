// The lab's IPv6 side (dual-stack): `spec.fabric.ipv6Cidr` turns it on. Then the router, every
// node and the hosts written with `ipv6Address` get IPv6 addresses too, by the same rules as
// IPv4 (lab-network.ts, lab-hosts.ts):
// - router: the first address of the fabric after the network address (the subnet-router
//   anycast address, RFC 4291 2.6.1, is nobody's) unless given;
// - nodes without ipv6Address: the lowest free fabric addresses, in node order, after the
//   router's and every address written in the file;
// - a host's ipv6Address without a prefix gets /64; its gateway (the router's side) is the first
//   address of the segment other than the host's own.
// Written without fabric.ipv6Cidr, any of these is an error: the lab would have nowhere to put it.
import type { LabHost, LabNode, LabRouter } from '../model/lab.js';
import {
  cidrToString,
  networksOverlap,
  parseCidr,
  parseIP,
  sameIP,
  type Cidr,
} from '../net/cidr.js';
import { bigToIp6, ip6ToBig, parseCidr6, cidr6Size } from '../net/cidr6.js';
import type { FieldPath } from '../calico/field-error.js';
import type { LabContext } from './lab-context.js';

export const DEFAULT_HOST_IPV6_PREFIX = 64;

export interface LabIpv6 {
  /** The fabric's IPv6 CIDR when the lab runs IPv6 and it is valid. */
  fabric6?: Cidr;
}

/** Fills ipv6Address of the router and nodes and ipv6 of hosts (in place). */
export function buildIpv6(
  ctx: LabContext,
  router: LabRouter | undefined,
  nodes: LabNode[],
  hosts: LabHost[],
): LabIpv6 {
  const { spec } = ctx;
  const P = ctx.problem;
  const text = spec.fabric?.ipv6Cidr;
  if (text === undefined) {
    const need = (path: FieldPath, what: string) =>
      P(path, `${what} needs an IPv6 fabric: set spec.fabric.ipv6Cidr (e.g. "2001:db8:30::/64")`);
    if (spec.router?.ipv6Address !== undefined)
      need(['spec', 'router', 'ipv6Address'], 'the router ipv6Address');
    spec.nodes.forEach((n, i) => {
      if (n.ipv6Address !== undefined)
        need(['spec', 'nodes', i, 'ipv6Address'], `node ${n.name} ipv6Address`);
    });
    (spec.hosts ?? []).forEach((h, i) => {
      if (h.ipv6Address !== undefined)
        need(['spec', 'hosts', i, 'ipv6Address'], `host ${h.name} ipv6Address`);
      if (h.ipv6Gateway !== undefined)
        need(['spec', 'hosts', i, 'ipv6Gateway'], `host ${h.name} ipv6Gateway`);
    });
    return {};
  }
  const path6: FieldPath = ['spec', 'fabric', 'ipv6Cidr'];
  const fabric6 = parseCidr(text);
  if (!fabric6 || fabric6.version !== 6) {
    P(
      path6,
      `fabric.ipv6Cidr must be an IPv6 CIDR like "2001:db8:30::/64", got ${JSON.stringify(text)}`,
    );
    return {};
  }
  if (!sameIP(fabric6.ip, fabric6.network)) {
    P(
      path6,
      `fabric.ipv6Cidr ${text} is not strictly masked (did you mean ${cidrToString(fabric6)}?)`,
    );
    return {};
  }
  if (fabric6.prefix > 120) {
    P(
      path6,
      `fabric.ipv6Cidr ${text} is too small: use /120 or larger for the router and the nodes`,
    );
    return {};
  }
  const fabricText = cidrToString(fabric6);
  const f = parseCidr6(fabricText);
  const first = f.base + 1n;
  const last = f.base + cidr6Size(f.prefix) - 1n;
  const taken = new Map<bigint, string>();
  const fabricAddress = (addr: string, path: FieldPath, owner: string): bigint | undefined => {
    const ip = parseIP(addr);
    if (!ip || ip.kind() !== 'ipv6') {
      const hint = parseCidr(addr)
        ? ' (write the address without a prefix length; the fabric prefix applies)'
        : '';
      P(
        path,
        `expected an IPv6 address like "2001:db8:30::11", got ${JSON.stringify(addr)}${hint}`,
      );
      return undefined;
    }
    const n = ip6ToBig(ip.toString());
    if (n < f.base || n > last) {
      P(path, `address ${addr} is outside the IPv6 fabric ${fabricText}`);
      return undefined;
    }
    if (n === f.base) {
      P(
        path,
        `address ${addr} is the subnet-router anycast address of the IPv6 fabric ${fabricText}`,
      );
      return undefined;
    }
    const prior = taken.get(n);
    if (prior) {
      P(path, `address ${addr} is already used by ${prior}`);
      return undefined;
    }
    taken.set(n, owner);
    return n;
  };

  if (router) {
    const written = spec.router?.ipv6Address;
    const n =
      written !== undefined
        ? fabricAddress(written, ['spec', 'router', 'ipv6Address'], `router ${router.name}`)
        : first;
    if (written === undefined) taken.set(first, `router ${router.name}`);
    if (n !== undefined) router.ipv6Address = bigToIp6(n);
  }
  const written = nodes.map((node, i) => {
    const w = spec.nodes[i]?.ipv6Address;
    return w === undefined
      ? undefined
      : fabricAddress(w, ['spec', 'nodes', i, 'ipv6Address'], `node ${node.name}`);
  });
  let next = first;
  nodes.forEach((node, i) => {
    let n = written[i];
    if (n === undefined && spec.nodes[i]?.ipv6Address === undefined) {
      while (next <= last && taken.has(next)) next++;
      if (next > last) {
        P(
          ['spec', 'nodes', i],
          `the IPv6 fabric ${fabricText} has no free address left for node ${node.name}`,
        );
        return;
      }
      n = next;
      taken.set(n, `node ${node.name}`);
    }
    if (n !== undefined) node.ipv6Address = bigToIp6(n);
  });

  const segments: { cidr: Cidr; host: string }[] = [];
  (spec.hosts ?? []).forEach((h, i) => {
    const path: FieldPath = ['spec', 'hosts', i];
    if (h.ipv6Address === undefined) {
      if (h.ipv6Gateway !== undefined)
        P([...path, 'ipv6Gateway'], `ipv6Gateway needs the host's ipv6Address`);
      return;
    }
    const withPrefix = h.ipv6Address.includes('/')
      ? h.ipv6Address
      : `${h.ipv6Address}/${DEFAULT_HOST_IPV6_PREFIX}`;
    const seg = parseCidr(withPrefix);
    if (!seg || seg.version !== 6) {
      P(
        [...path, 'ipv6Address'],
        `expected an IPv6 address with its segment's prefix, like "2001:db8:113::10/64", got ${JSON.stringify(h.ipv6Address)}`,
      );
      return;
    }
    if (seg.prefix > 127) {
      P(
        [...path, 'ipv6Address'],
        `host ${h.name} needs an IPv6 segment of at least 2 addresses (/127 or shorter) for itself and the router's gateway address`,
      );
      return;
    }
    const s = parseCidr6(cidrToString(seg));
    const self = ip6ToBig(seg.ip.toString());
    const segLast = s.base + cidr6Size(s.prefix) - 1n;
    if (self === s.base && seg.prefix < 127) {
      P(
        [...path, 'ipv6Address'],
        `address ${seg.ip.toString()} is the subnet-router anycast address of its segment ${cidrToString(seg)}`,
      );
      return;
    }
    let ok = true;
    if (networksOverlap(seg, fabric6)) {
      P(
        [...path, 'ipv6Address'],
        `host IPv6 segment ${cidrToString(seg)} overlaps the IPv6 fabric ${fabricText}`,
      );
      ok = false;
    }
    for (const other of segments) {
      if (networksOverlap(other.cidr, seg)) {
        P(
          [...path, 'ipv6Address'],
          `host IPv6 segment ${cidrToString(seg)} overlaps host ${other.host}'s segment ${cidrToString(other.cidr)}; each host has its own segment behind the router`,
        );
        ok = false;
      }
    }
    segments.push({ cidr: seg, host: h.name });
    let gateway: bigint | undefined;
    if (h.ipv6Gateway !== undefined) {
      const g = parseIP(h.ipv6Gateway);
      if (!g || g.kind() !== 'ipv6') {
        P(
          [...path, 'ipv6Gateway'],
          `expected an IPv6 address, got ${JSON.stringify(h.ipv6Gateway)}`,
        );
      } else {
        const gn = ip6ToBig(g.toString());
        if (gn < s.base || gn > segLast)
          P(
            [...path, 'ipv6Gateway'],
            `ipv6Gateway ${h.ipv6Gateway} is outside the host's segment ${cidrToString(seg)}`,
          );
        else if (gn === self)
          P([...path, 'ipv6Gateway'], `ipv6Gateway ${h.ipv6Gateway} is the host's own address`);
        else gateway = gn;
      }
    } else {
      const firstHere = seg.prefix >= 127 ? s.base : s.base + 1n;
      gateway = firstHere === self ? firstHere + 1n : firstHere;
    }
    const host = hosts.find((x) => x.name === h.name);
    if (!ok || gateway === undefined || !host) return;
    host.ipv6 = {
      address: seg.ip.toString(),
      prefixLength: seg.prefix,
      gateway: bigToIp6(gateway),
    };
  });
  return { fabric6 };
}
