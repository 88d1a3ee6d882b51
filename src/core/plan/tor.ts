// The top-of-rack routers in the plan (fabric.racks[].tor, model/tor.ts): each ToR takes over
// its rack's segment from the spine (the lab router): the rack's bridge, the router address on
// it and the nodes' ports move into the ToR's container; a point-to-point veth (/31) links
// the ToR's `uplink` to the spine's `tor<rack index>`. The ToR's default route points at the
// spine; the spine reaches the rack's subnet through the ToR (static: the lab's routes) and
// the pod blocks through what the ToR announces (tor-bgp.ts).
import type { Lab } from '../model/lab.js';
import { rackBridge } from '../model/racks.js';
import { labTors } from '../model/tor.js';
import { spineTorSessions, torBirdData } from './tor-bgp.js';
import type { ContainerPlan, LinkSpec } from './types.js';

/** The ToR's interface towards the spine. */
export const TOR_UPLINK_IF = 'uplink';
/** The ToR's bridge: its rack's segment. */
export const TOR_BRIDGE = 'br0';

/** The spine's interface towards the ToR of the rack at this index. */
export function spineTorIf(rackIndex: number): string {
  return `tor${rackIndex}`;
}

/** Moves each ToR rack's segment from the spine into a ToR container (appended after the spine). */
export function addTors(lab: Lab, containers: ContainerPlan[], links: LinkSpec[]): void {
  const tors = labTors(lab);
  if (!tors.length) return;
  const spine = containers.find((c) => c.role === 'router' && c.name === lab.router.name)!;
  const added: ContainerPlan[] = [];
  for (const { rack, tor, index } of tors) {
    const bridge = rackBridge(index);
    const ports = spine.interfaces.filter((i) => i.master === bridge);
    const portNames = new Set(ports.map((p) => p.ifname));
    const rackIf = spine.interfaces.find((i) => i.ifname === bridge);
    spine.bridges = spine.bridges.filter((b) => b.name !== bridge);
    spine.interfaces = spine.interfaces.filter((i) => i !== rackIf && !portNames.has(i.ifname));
    for (const l of links)
      if (l.b.container === spine.name && portNames.has(l.b.ifname)) l.b.container = tor.name;
    const up = spineTorIf(index);
    spine.interfaces.push({ ifname: up, addresses: [`${tor.uplink.spine}/31`] });
    spine.routes.push({ dst: rack.cidr, via: tor.uplink.tor, dev: up });
    links.push({
      a: { container: tor.name, ifname: TOR_UPLINK_IF },
      b: { container: spine.name, ifname: up },
    });
    added.push({
      name: tor.name,
      role: 'tor',
      sysctls: { ...spine.sysctls },
      bridges: [{ name: TOR_BRIDGE }],
      interfaces: [
        { ifname: TOR_BRIDGE, addresses: rackIf?.addresses ?? [] },
        ...ports.map((p) => ({ ...p, master: TOR_BRIDGE })),
        { ifname: TOR_UPLINK_IF, addresses: [`${tor.uplink.tor}/31`] },
      ],
      routes: [{ dst: 'default', via: tor.uplink.spine, dev: TOR_UPLINK_IF }],
      services: [],
      torBgp: torBirdData(lab, { rack, tor, index }),
    });
  }
  if (spine.routerBgp) spine.routerBgp.tors = spineTorSessions(lab);
  containers.splice(containers.indexOf(spine) + 1, 0, ...added);
}
