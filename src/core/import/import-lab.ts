// `egress-lab import`: a lab built around a customer's Calico resources (`calicoctl get ippool
// -o yaml`, plus FelixConfiguration, BGPConfiguration and BGPPeer when given). Pure and
// deterministic: the same files give the same lab text.
//
// One named step per part of the lab, in this order (each reports what it decided or could
// not keep as given; the report becomes the lab's notes):
// readInputs -> placeRouter -> mapPeersOntoRouter -> addNamedNodes -> placePoolPods ->
// placePeerNodes -> addHosts -> addPods -> noteFelixConfigurations ->
// dropOtherBgpConfigurations -> the lab text, loaded, explained (expectEntries), and again
// with its expect entries.
import { loadLab } from '../lab-file/load.js';
import { withSchemaComment } from '../lab-file/schema-comment.js';
import type { LabSource } from '../lab-file/source.js';
import type { Lab } from '../model/lab.js';
import { importContext } from './context.js';
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
  const inputs = readInputs(sources, opts.name ?? 'imported');
  const ctx = importContext(inputs, placeRouter(inputs));
  mapPeersOntoRouter(ctx);
  addNamedNodes(ctx);
  placePoolPods(ctx);
  placePeerNodes(ctx);
  addHosts(ctx);
  addPods(ctx);
  noteFelixConfigurations(ctx);
  dropOtherBgpConfigurations(ctx);

  // The lab text, first without expectations, then with what explain says of it.
  const file = `${ctx.labName}.yaml`;
  const resources = resourceTexts(ctx);
  const draft = loadLab([{ file, text: renderLab(ctx, resources, []) }]);
  const rendered = renderLab(ctx, resources, expectEntries(ctx, draft));
  const text = opts.schemaRef ? withSchemaComment(rendered, opts.schemaRef) : rendered;
  const lab = loadLab([{ file, text }]);
  return { text, lab, report: ctx.report };
}
