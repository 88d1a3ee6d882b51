// Top-of-rack routers (`fabric.racks[].tor`): Calico's "AS per rack" model of an L3 fabric
// (Calico docs, "Calico over IP fabrics"): each rack's ToR and the rack's nodes share the rack's
// AS, the nodes peer with their ToR over iBGP (the ToR reflects their routes to each other),
// and the ToRs peer over eBGP with the spine (the lab router, its own AS), which routes
// between racks and to the outside hosts.
import type { Lab, LabNode, LabRack, LabTor } from './lab.js';
import { labRacks, nodeRack } from './racks.js';

/** Where the point-to-point links between the spine and the ToRs take their addresses. */
export const TOR_UPLINK_NET = '169.254.100.0/24';
/** The most ToRs TOR_UPLINK_NET holds (one /31 each). */
export const MAX_TORS = 128;

/** The k-th ToR's link to the spine (a /31): the spine at the even address, the ToR at the odd. */
export function torUplink(k: number): { spine: string; tor: string } {
  return { spine: `169.254.100.${2 * k}`, tor: `169.254.100.${2 * k + 1}` };
}

export interface RackTor {
  rack: LabRack;
  tor: LabTor;
  /** The rack's index in labRacks (its bridge on the spine would have been br<index>). */
  index: number;
}

/** The racks that have a ToR of their own, in rack order. */
export function labTors(lab: Pick<Lab, 'fabric' | 'router'>): RackTor[] {
  return labRacks(lab).flatMap((rack, index) => (rack.tor ? [{ rack, tor: rack.tor, index }] : []));
}

/** The ToR of the node's rack, when that rack has one. */
export function nodeTor(lab: Pick<Lab, 'fabric' | 'router'>, node: LabNode): LabTor | undefined {
  return lab.fabric.racks ? nodeRack(lab, node).tor : undefined;
}

/**
 * A node's AS: its rack's when the rack has a ToR (AS per rack: Calico's Node
 * spec.bgp.asNumber, which the lab sets for each node of the rack), else BGPConfiguration's.
 */
export function nodeAsNumber(lab: Lab, node: LabNode): number {
  return nodeTor(lab, node)?.asNumber ?? lab.bgpConfiguration.spec.asNumber;
}

/** The ToR answering at this address (its rack's router address), if any. */
export function torAt(lab: Pick<Lab, 'fabric' | 'router'>, address: string): RackTor | undefined {
  return labTors(lab).find((t) => t.rack.routerAddress === address);
}
