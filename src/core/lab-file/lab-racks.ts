// A fabric of several racks (`spec.fabric.racks`): each rack its own L2 segment (IPv4 subnet)
// with the router at one address of it; the router routes between racks. Nodes name their rack
// (`rack:`, default the first); their addresses come from it, assigned as on a single fabric:
// - a rack's router address: `router` when given, else the rack's first usable address;
// - nodes without an address: the lowest free usable addresses of their rack, in node order,
//   after the router's and every address written in the file.
// CrossSubnet encapsulation (IPIP/VXLAN) tells nodes apart by these subnets.
import type { LabNode, LabRack, LabRouter } from '../model/lab.js';
import {
  cidrToString,
  networkContains,
  networksOverlap,
  numberToV4,
  parseCidr,
  parseIP,
  sameIP,
  v4ToNumber,
  v4UsableRange,
  type Cidr,
} from '../net/cidr.js';
import type { FieldPath } from '../calico/field-error.js';
import { dns1123LabelProblems } from '../calico/names.js';
import type { LabContext } from './lab-context.js';
import { nodeLabels, routerAsNumber } from './lab-node-fields.js';
import { addRackTors } from './lab-tor.js';

const DEFAULT_ROUTER_NAME = 'tor';

/** lab-network.ts's LabNetwork, with the racks. */
export interface RackNetwork {
  fabricCidr: string;
  fabric?: Cidr;
  racks: LabRack[];
  router?: LabRouter;
  nodes: LabNode[];
}

interface RackState {
  written: number; // index in fabric.racks
  rack: LabRack;
  cidr: Cidr;
  usable: { first: number; last: number };
  taken: Map<number, string>;
}

export function buildRackNetwork(ctx: LabContext): RackNetwork {
  const { spec, claimName } = ctx;
  const P = ctx.problem;
  const written = spec.fabric!.racks!;
  if (spec.fabric?.cidr !== undefined)
    P(
      ['spec', 'fabric', 'cidr'],
      'fabric.cidr and fabric.racks exclude each other: with racks, each rack gives its own cidr',
    );
  if (spec.router?.address !== undefined)
    P(
      ['spec', 'router', 'address'],
      'with fabric.racks the router has one address per rack: give it as racks[].router',
    );

  const states: RackState[] = [];
  const byName = new Map<string, RackState>();
  written.forEach((r, i) => {
    const path: FieldPath = ['spec', 'fabric', 'racks', i];
    for (const p of dns1123LabelProblems(r.name))
      P([...path, 'name'], `rack name ${JSON.stringify(r.name)} ${p}`);
    if (byName.has(r.name)) P([...path, 'name'], `rack ${JSON.stringify(r.name)} is listed twice`);
    const c = parseCidr(r.cidr);
    if (!c || c.version !== 4) {
      P(
        [...path, 'cidr'],
        `a rack's cidr must be an IPv4 CIDR like "172.30.1.0/24", got ${JSON.stringify(r.cidr)}`,
      );
      return;
    }
    if (!sameIP(c.ip, c.network)) {
      P(
        [...path, 'cidr'],
        `rack cidr ${r.cidr} is not strictly masked (did you mean ${cidrToString(c)}?)`,
      );
      return;
    }
    if (c.prefix > 29) {
      P(
        [...path, 'cidr'],
        `rack cidr ${r.cidr} is too small: use /29 or larger for the router and the nodes`,
      );
      return;
    }
    const other = states.find((s) => networksOverlap(s.cidr, c));
    if (other) {
      P(
        [...path, 'cidr'],
        `rack cidr ${r.cidr} overlaps rack ${other.rack.name} (${other.rack.cidr})`,
      );
      return;
    }
    const usable = v4UsableRange(c);
    const taken = new Map<number, string>();
    let router = usable.first;
    if (r.router !== undefined) {
      const ip = parseIP(r.router);
      const n =
        ip && ip.kind() === 'ipv4' ? v4ToNumber(ip as Parameters<typeof v4ToNumber>[0]) : undefined;
      if (n === undefined || !networkContains(c, ip!) || n < usable.first || n > usable.last) {
        P(
          [...path, 'router'],
          `the router's address ${JSON.stringify(r.router)} must be a usable address of the rack ${cidrToString(c)}`,
        );
        return;
      }
      router = n;
    }
    const routerName = spec.router?.name ?? DEFAULT_ROUTER_NAME;
    taken.set(router, `router ${routerName}`);
    const state: RackState = {
      written: i,
      rack: { name: r.name, cidr: cidrToString(c), routerAddress: numberToV4(router).toString() },
      cidr: c,
      usable,
      taken,
    };
    states.push(state);
    byName.set(r.name, state);
  });

  const routerName = spec.router?.name ?? DEFAULT_ROUTER_NAME;
  claimName(
    routerName,
    'router',
    spec.router?.name !== undefined ? ['spec', 'router', 'name'] : ['spec'],
  );
  const routerAS = routerAsNumber(ctx);
  addRackTors(
    ctx,
    written,
    written.map((_, i) => states.find((s) => s.written === i)?.rack),
    routerAS,
  );

  const rackAddress = (state: RackState, text: string, path: FieldPath, owner: string) => {
    const ip = parseIP(text);
    if (!ip || ip.kind() !== 'ipv4') {
      P(path, `expected an IPv4 address like "172.30.1.11", got ${JSON.stringify(text)}`);
      return undefined;
    }
    const n = v4ToNumber(ip as Parameters<typeof v4ToNumber>[0]);
    if (!networkContains(state.cidr, ip) || n < state.usable.first || n > state.usable.last) {
      P(
        path,
        `address ${text} is not a usable address of rack ${state.rack.name} (${state.rack.cidr})`,
      );
      return undefined;
    }
    const prior = state.taken.get(n);
    if (prior) {
      P(path, `address ${text} is already used by ${prior}`);
      return undefined;
    }
    state.taken.set(n, owner);
    return n;
  };

  const placed: { node: LabNode; state?: RackState; addr?: number; auto: boolean }[] = [];
  spec.nodes.forEach((n, i) => {
    const path: FieldPath = ['spec', 'nodes', i];
    claimName(n.name, 'node', [...path, 'name']);
    const labels = nodeLabels(ctx, n, path);
    const rackName = n.rack ?? written[0]?.name;
    const state = rackName === undefined ? undefined : byName.get(rackName);
    if (n.rack !== undefined && !state && written.some((r) => r.name === n.rack) === false)
      P(
        [...path, 'rack'],
        `unknown rack ${JSON.stringify(n.rack)}: the racks are ${written.map((r) => r.name).join(', ')}`,
      );
    const node: LabNode = { name: n.name, address: '', labels, extraAddresses: [] };
    if (state) node.rack = state.rack.name;
    let addr: number | undefined;
    if (state && n.address !== undefined)
      addr = rackAddress(state, n.address, [...path, 'address'], `node ${n.name}`);
    (n.extraAddresses ?? []).forEach((x, j) => {
      if (!state) return;
      const v = rackAddress(state, x, [...path, 'extraAddresses', j], `node ${n.name}`);
      if (v !== undefined) node.extraAddresses.push(numberToV4(v).toString());
    });
    placed.push({ node, state, addr, auto: n.address === undefined });
  });
  const next = new Map<RackState, number>();
  placed.forEach(({ node, state, addr, auto }, i) => {
    let a = addr;
    if (a === undefined && auto && state) {
      let n = next.get(state) ?? state.usable.first;
      while (n <= state.usable.last && state.taken.has(n)) n++;
      if (n > state.usable.last) {
        P(
          ['spec', 'nodes', i],
          `rack ${state.rack.name} (${state.rack.cidr}) has no free address left for node ${node.name}`,
        );
      } else {
        a = n;
        state.taken.set(n, `node ${node.name}`);
      }
      next.set(state, n);
    }
    if (a !== undefined) node.address = numberToV4(a).toString();
  });

  const first = states[0];
  // The spine's own address: the first rack it still serves itself, else its first uplink.
  const spineAddress =
    states.find((s) => !s.rack.tor)?.rack.routerAddress ?? states[0]?.rack.tor?.uplink.spine;
  return {
    fabricCidr: first?.rack.cidr ?? written[0]?.cidr ?? '',
    fabric: first?.cidr,
    racks: states.map((s) => s.rack),
    router: first
      ? { name: routerName, address: spineAddress ?? first.rack.routerAddress, asNumber: routerAS }
      : undefined,
    nodes: placed.map((p) => p.node),
  };
}
