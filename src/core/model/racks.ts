// Every lab's racks: those of `fabric.racks`, or the one fabric as a single rack (named
// "fabric", the router's bridge br0), so code that walks racks treats both the same.
import type { Lab, LabNode, LabRack } from './lab.js';

export const DEFAULT_RACK = 'fabric';

export function labRacks(lab: Pick<Lab, 'fabric' | 'router'>): LabRack[] {
  return (
    lab.fabric.racks ?? [
      { name: DEFAULT_RACK, cidr: lab.fabric.cidr, routerAddress: lab.router.address },
    ]
  );
}

/** The rack a node sits in (the first rack when the node names none). */
export function nodeRack(lab: Pick<Lab, 'fabric' | 'router'>, node: LabNode): LabRack {
  const racks = labRacks(lab);
  return racks.find((r) => r.name === node.rack) ?? racks[0]!;
}

/**
 * Every address the router answers on: its own (the first rack's) and each rack's, but for
 * the racks with a ToR of their own (model/tor.ts): the ToR holds those.
 */
export function routerAddresses(lab: Pick<Lab, 'fabric' | 'router'>): string[] {
  return [
    ...new Set([
      lab.router.address,
      ...labRacks(lab)
        .filter((r) => !r.tor)
        .map((r) => r.routerAddress),
    ]),
  ];
}

/** The router's bridge for the rack at this index: br0 (the single fabric's), br1, … */
export function rackBridge(index: number): string {
  return `br${index}`;
}
