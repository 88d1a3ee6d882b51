// `egress-lab import`: a lab built around a customer's Calico resources (`calicoctl get ippool
// -o yaml`, plus FelixConfiguration, BGPConfiguration and BGPPeer when given) and, when given,
// their cluster dump (nodes, pods, IPAM blocks: dump-read.ts, dump-place.ts). Pure and
// deterministic: the same files give the same lab text.
//
// One named step per part of the lab, in this order (each reports what it decided or could
// not keep as given; the report becomes the lab's notes):
// readInputs -> placeRouter -> mapPeersOntoRouter -> addNamedNodes -> placePoolPods ->
// placePeerNodes -> addHosts -> addPods -> noteFelixConfigurations ->
// dropOtherBgpConfigurations -> the lab text, loaded, explained (expectEntries), and again
// with its expect entries. With a dump: splitDump first; the router on the nodes' own segment
// (placeRouterForDump); the customer's nodes (addDumpNodes) before the named ones; their pods
// at their own addresses (addDumpPods) instead of one pod per pool; destination hosts before
// the others; the blocks not reproduced noted (noteBlocks).
import { loadLab } from '../lab-file/load.js';
import { withSchemaComment } from '../lab-file/schema-comment.js';
import type { LabSource } from '../lab-file/source.js';
import type { Lab } from '../model/lab.js';
import { importContext } from './context.js';
import {
  DEFAULT_MAX_PODS,
  addDestinationHosts,
  addDumpNodes,
  addDumpPods,
  dumpPodsForLab,
  noteBlocks,
  placeRouterForDump,
} from './dump-place.js';
import { dumpIsEmpty, splitDump } from './dump-read.js';
import { expectEntries } from './expect-entries.js';
import { addHosts } from './hosts.js';
import { renderLab, resourceTexts } from './lab-text.js';
import { addNamedNodes, placePeerNodes, placePoolPods } from './nodes.js';
import { addPods } from './pods.js';
import { readInputs } from './read-inputs.js';
import { dropOtherBgpConfigurations, noteFelixConfigurations } from './resource-notes.js';
import { mapPeersOntoRouter, placeRouter } from './router.js';

export interface ImportOptions {
  /** The lab's name (a DNS label); default "imported". */
  name?: string;
  /** Where the file's first line points editors for the JSON Schema (none when unset). */
  schemaRef?: string;
  /** Addresses the customer's pods talk to: an outside host each. */
  destinations?: readonly string[];
  /** Pods of a cluster dump kept at most (default DEFAULT_MAX_PODS). */
  maxPods?: number;
}

export interface ImportResult {
  /** The lab file: the Lab document, then the customer's resources. */
  text: string;
  /** The same lab, loaded (what `up` will build). */
  lab: Lab;
  /** What was decided and what could not be kept as given, one line each. */
  report: string[];
}

export function importLab(sources: readonly LabSource[], opts: ImportOptions = {}): ImportResult {
  const { calicoSources, dump } = splitDump(sources);
  const withDump = !dumpIsEmpty(dump);
  const inputs = readInputs(withDump ? calicoSources : sources, opts.name ?? 'imported', withDump);
  if (withDump) {
    const dumpFiles = sources
      .map((s) => s.file)
      .filter((f) => !calicoSources.some((c) => c.file === f));
    inputs.report.unshift(
      `cluster dump read: ${dump.nodes.length} nodes, ${dump.pods.length} pods, ${dump.blocks.length} IPAM blocks, ${dump.affinities.length} block affinities${dumpFiles.length ? ` (from ${dumpFiles.join(', ')})` : ''}`,
    );
  }
  inputs.report.push(...dump.leftOut);
  const ctx = importContext(
    inputs,
    (withDump && placeRouterForDump(inputs, dump)) || placeRouter(inputs),
  );
  mapPeersOntoRouter(ctx);
  if (withDump) addDumpNodes(ctx, dump);
  addNamedNodes(ctx);
  const dumpPods = withDump ? dumpPodsForLab(ctx, dump, opts.maxPods ?? DEFAULT_MAX_PODS) : [];
  if (!dumpPods.length) placePoolPods(ctx);
  placePeerNodes(ctx);
  if (dumpPods.length)
    ctx.report.splice(
      0,
      ctx.report.length,
      ...ctx.report.filter((l) => !l.startsWith('no enabled IPv4 pool serves workloads')),
    );
  for (const n of ctx.nodes.list) ctx.usedNames.add(n.name);
  ctx.usedNames.add('tor');
  addDestinationHosts(ctx, opts.destinations ?? []);
  addHosts(ctx);
  if (dumpPods.length) addDumpPods(ctx, dumpPods);
  else addPods(ctx);
  if (withDump) noteBlocks(ctx, dump);
  noteFelixConfigurations(ctx);
  dropOtherBgpConfigurations(ctx);

  // The lab text, first without expectations, then with what explain says of it.
  const file = `${ctx.labName}.yaml`;
  const resources = resourceTexts(ctx);
  const draft = loadLab([{ file, text: renderLab(ctx, resources, []) }]);
  // A dump's pods are many: expectations for the first pod on each node only.
  const expectFrom = dumpPods.length
    ? ctx.pods.filter((p, i) => ctx.pods.findIndex((q) => q.node === p.node) === i)
    : ctx.pods;
  const rendered = renderLab(ctx, resources, expectEntries({ ...ctx, pods: expectFrom }, draft));
  const text = opts.schemaRef ? withSchemaComment(rendered, opts.schemaRef) : rendered;
  const lab = loadLab([{ file, text }]);
  return { text, lab, report: ctx.report };
}
