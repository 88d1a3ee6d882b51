// The lab's own network: the fabric (the nodes' L2 segment with the router), the router and the
// nodes, with their addresses.
//
// Address rules (IPv4 only):
// - router: the first usable address of the fabric unless given;
// - nodes without an address: the lowest free usable fabric addresses, in node order, after the
//   router's and every address written in the file are taken out.
import type { LabNode, LabRack, LabRouter } from '../model/lab.js';
import {
  isIPv4,
  networkContains,
  cidrToString,
  numberToV4,
  parseCidr,
  parseIP,
  sameIP,
  v4ToNumber,
  v4UsableRange,
  type Cidr,
} from '../net/cidr.js';
import type { FieldPath } from '../calico/field-error.js';
import type { LabContext } from './lab-context.js';
import { buildRackNetwork } from './lab-racks.js';
import { nodeLabels, routerAsNumber } from './lab-node-fields.js';

export const DEFAULT_FABRIC_CIDR = '172.30.0.0/24';
export const DEFAULT_ROUTER_NAME = 'tor';
export { DEFAULT_ROUTER_AS } from './lab-node-fields.js';

export interface LabNetwork {
  fabricCidr: string;
  /** Present when the file has fabric.racks (lab-racks.ts). */
  racks?: LabRack[];
  /** The fabric when it is valid. */
  fabric?: Cidr;
  /** The router when its address is valid. */
  router?: LabRouter;
  nodes: LabNode[];
}

export function buildNetwork(ctx: LabContext): LabNetwork {
  const { spec, claimName } = ctx;
  const P = ctx.problem;
  if (spec.fabric?.racks) return buildRackNetwork(ctx);
  const fabricText = spec.fabric?.cidr ?? DEFAULT_FABRIC_CIDR;
  const fabric = parseCidr(fabricText);
  let fabricOk = false;
  if (!fabric || fabric.version !== 4) {
    P(
      ['spec', 'fabric', 'cidr'],
      `fabric.cidr must be an IPv4 CIDR like "172.30.0.0/24", got ${JSON.stringify(fabricText)}`,
    );
  } else if (!sameIP(fabric.ip, fabric.network)) {
    P(
      ['spec', 'fabric', 'cidr'],
      `fabric.cidr ${fabricText} is not strictly masked (did you mean ${cidrToString(fabric)}?)`,
    );
  } else if (fabric.prefix > 29) {
    P(
      ['spec', 'fabric', 'cidr'],
      `fabric.cidr ${fabricText} is too small: use /29 or larger for the router and the nodes`,
    );
  } else fabricOk = true;
  const fabricCidr = fabric ? cidrToString(fabric) : fabricText;
  const usable = fabricOk ? v4UsableRange(fabric!) : { first: 0, last: -1 };

  // Addresses on the fabric, one owner each.
  const taken = new Map<number, string>();
  const fabricAddress = (text: string, path: FieldPath, owner: string): number | undefined => {
    const ip = parseIP(text);
    if (!ip || ip.kind() !== 'ipv4') {
      const hint = parseCidr(text)
        ? ' (write the address without a prefix length; the fabric prefix applies)'
        : '';
      P(path, `expected an IPv4 address like "172.30.0.11", got ${JSON.stringify(text)}${hint}`);
      return undefined;
    }
    if (!fabricOk) return undefined;
    if (!networkContains(fabric!, ip)) {
      P(path, `address ${text} is outside the fabric ${fabricCidr}`);
      return undefined;
    }
    const n = v4ToNumber(ip as Parameters<typeof v4ToNumber>[0]);
    if (n < usable.first || n > usable.last) {
      P(
        path,
        `address ${text} is the ${n < usable.first ? 'network' : 'broadcast'} address of the fabric ${fabricCidr}`,
      );
      return undefined;
    }
    const prior = taken.get(n);
    if (prior) {
      P(path, `address ${text} is already used by ${prior}`);
      return undefined;
    }
    taken.set(n, owner);
    return n;
  };

  // --- router ---
  const routerName = spec.router?.name ?? DEFAULT_ROUTER_NAME;
  claimName(
    routerName,
    'router',
    spec.router?.name !== undefined ? ['spec', 'router', 'name'] : ['spec'],
  );
  let routerAddr: number | undefined;
  if (spec.router?.address !== undefined) {
    routerAddr = fabricAddress(
      spec.router.address,
      ['spec', 'router', 'address'],
      `router ${routerName}`,
    );
  } else if (fabricOk) {
    routerAddr = usable.first;
    taken.set(routerAddr, `router ${routerName}`);
  }
  const routerAS = routerAsNumber(ctx);

  // --- nodes: names, labels, written addresses first ---
  const nodeAddrs: (number | undefined)[] = [];
  const nodes: LabNode[] = spec.nodes.map((n, i) => {
    const path: FieldPath = ['spec', 'nodes', i];
    claimName(n.name, 'node', [...path, 'name']);
    const labels = nodeLabels(ctx, n, path);
    if (n.rack !== undefined)
      P([...path, 'rack'], `node ${n.name} names a rack, but the fabric has no racks`);
    nodeAddrs[i] =
      n.address !== undefined
        ? fabricAddress(n.address, [...path, 'address'], `node ${n.name}`)
        : undefined;
    const extraAddresses: string[] = [];
    (n.extraAddresses ?? []).forEach((x, j) => {
      const v = fabricAddress(x, [...path, 'extraAddresses', j], `node ${n.name}`);
      if (v !== undefined) extraAddresses.push(numberToV4(v).toString());
    });
    const node: LabNode = { name: n.name, address: '', labels, extraAddresses };
    const rr = n.routeReflectorClusterID;
    if (rr !== undefined && rr !== '') {
      // Calico's Node validation: routeReflectorClusterID has the tag "omitempty,ipv4".
      if (!isIPv4(rr))
        P(
          [...path, 'routeReflectorClusterID'],
          `error with field RouteReflectorClusterID = '${rr}' (Reason: failed to validate Field: RouteReflectorClusterID because of Tag: ipv4 )`,
        );
      else node.routeReflectorClusterID = rr;
    }
    return node;
  });
  // Then the lowest free addresses for nodes without one.
  let next = usable.first;
  nodes.forEach((node, i) => {
    let n = nodeAddrs[i];
    if (n === undefined && spec.nodes[i]!.address === undefined && fabricOk) {
      while (next <= usable.last && taken.has(next)) next++;
      if (next > usable.last) {
        P(
          ['spec', 'nodes', i],
          `the fabric ${fabricCidr} has no free address left for node ${node.name}`,
        );
      } else {
        n = next;
        taken.set(n, `node ${node.name}`);
      }
    }
    if (n !== undefined) node.address = numberToV4(n).toString();
  });

  const router =
    routerAddr === undefined
      ? undefined
      : { name: routerName, address: numberToV4(routerAddr).toString(), asNumber: routerAS };
  return { fabricCidr, fabric: fabricOk ? fabric! : undefined, router, nodes };
}
