// What the import steps share: the customer's resources as loaded, what each step decided so
// far, and the report of what was decided or could not be kept as given (one line each, in
// the order the steps run: the lab's notes list them so).
import { LabInputError } from '../errors.js';
import type { LoadedResources } from '../lab-file/load.js';
import type { LabSource } from '../lab-file/source.js';
import type { IPPool } from '../model/calico.js';
import { NodeDrafts } from './node-drafts.js';

/** Read from the customer's files before anything is placed. */
export interface ImportInputs {
  sources: readonly LabSource[];
  labName: string;
  resources: LoadedResources;
  /** The pools the lab runs with (calico-node's default pool when none is given). */
  pools: IPPool[];
  report: string[];
}

export interface ImportContext extends ImportInputs {
  router: { address: string; asNumber: number };
  fabric: string;
  /** BGPPeers (by name) re-pointed at the lab's router. */
  peerRewrites: Map<string, { peerIP: string; asNumber: number }>;
  /** BGPPeers left out of the lab (IPv6). */
  droppedPeers: Set<string>;
  nodes: NodeDrafts;
  /** One pod per pool that serves workloads, and the node it goes on. */
  podPlan: { pool: IPPool; node: string }[];
  /** Container names given so far (nodes, router, hosts, pods). */
  usedNames: Set<string>;
  hosts: { name: string; address: string }[];
  pods: { name: string; node: string; namespace?: string; annotations: Record<string, string> }[];
  calicoVersion?: string;
  /** Resources (Kind/name) left out of the lab text. */
  droppedConfigs: Set<string>;
}

/** The context the steps after placeRouter fill in, empty but for the inputs and the router. */
export function importContext(
  inputs: ImportInputs,
  network: Pick<ImportContext, 'router' | 'fabric'>,
): ImportContext {
  return {
    ...inputs,
    ...network,
    peerRewrites: new Map(),
    droppedPeers: new Set(),
    nodes: new NodeDrafts(inputs.report),
    podPlan: [],
    usedNames: new Set(),
    hosts: [],
    pods: [],
    droppedConfigs: new Set(),
  };
}

export function fail(message: string, file?: string): never {
  throw new LabInputError([
    { ...(file ? { position: { file, line: 1, col: 1 } } : {}), message: `import: ${message}` },
  ]);
}

export function isV4Pool(p: IPPool): boolean {
  return !p.spec.cidr.includes(':');
}

export function servesWorkloads(p: IPPool): boolean {
  return !p.spec.disabled && isV4Pool(p) && p.spec.allowedUses.includes('Workload');
}

export function v4Cidrs(pools: readonly IPPool[]): string[] {
  return pools.filter(isV4Pool).map((p) => p.spec.cidr);
}

export function enabledV4Cidrs(pools: readonly IPPool[]): string[] {
  return pools.filter((p) => isV4Pool(p) && !p.spec.disabled).map((p) => p.spec.cidr);
}

/** `base`, or `base-2`, `base-3` … : the first container name not given yet. */
export function uniqueName(ctx: Pick<ImportContext, 'usedNames'>, base: string): string {
  let name = base;
  for (let i = 2; ctx.usedNames.has(name); i++) name = `${base}-${i}`;
  ctx.usedNames.add(name);
  return name;
}
