// Import step: the lab file's text: the Lab document built by the steps before, then the
// customer's resources as written (renamed nodes and re-pointed peers rewritten, with a
// comment saying so, the resources left out dropped).
import { Document, isMap, isSeq, type YAMLMap } from 'yaml';
import { collectEntries } from '../lab-file/entries.js';
import { parseSources, type LabSource } from '../lab-file/source.js';
import type { ImportContext } from './context.js';

/** The whole lab file: the Lab document with these expect entries, then `resources`. */
export function renderLab(
  ctx: ImportContext,
  resources: readonly string[],
  expect: Record<string, unknown>[],
): string {
  const files = ctx.sources.map((s) => s.file).join(', ');
  const doc = new Document(labDocument(ctx, expect));
  doc.commentBefore = ` Built by egress-lab import from ${files}`;
  flowStyleItems(doc, ['nodes', 'pods', 'hosts', 'expect']);
  return [doc.toString({ lineWidth: 0 }), ...resources].join('---\n');
}

function labDocument(ctx: ImportContext, expect: Record<string, unknown>[]) {
  const { router, hosts, pods } = ctx;
  return {
    apiVersion: 'egress-lab/v1',
    kind: 'Lab',
    metadata: {
      name: ctx.labName,
      description: `Built around ${ctx.sources.map((s) => s.file).join(', ')}`,
      docs: 'egress-lab import',
      notes: [
        'Built by `egress-lab import` from the customer resources below (kept as given unless said here).',
        ctx.pods.some((p) => p.annotations['cni.projectcalico.org/ipAddrs'] !== undefined)
          ? "Each pod keeps the customer's address (ipAddrs annotation); the expect entries are what explain predicts: run `egress-lab check` to see them on the wire."
          : 'Each pod is pinned to one pool; the expect entries are what explain predicts: run `egress-lab check` to see them on the wire.',
        ...ctx.report,
      ].join('\n'),
    },
    spec: {
      ...(ctx.calicoVersion ? { calicoVersion: ctx.calicoVersion } : {}),
      fabric: { cidr: ctx.fabric },
      router: { name: 'tor', address: router.address, asNumber: router.asNumber },
      nodes: ctx.nodes.list.map((n) => ({
        name: n.name,
        ...(n.address ? { address: n.address } : {}),
        ...(Object.keys(n.labels).length ? { labels: n.labels } : {}),
      })),
      ...(pods.length ? { pods } : {}),
      ...(hosts.length ? { hosts } : {}),
      ...(expect.length ? { expect } : {}),
    },
  };
}

/** The customer's resources, one YAML document each, in file order. */
export function resourceTexts(ctx: ImportContext): string[] {
  return rawResources(ctx.sources)
    .filter(({ value }) => {
      const key = `${String(value.kind)}/${nameOfRaw(value)}`;
      return (
        !ctx.droppedConfigs.has(key) &&
        !(value.kind === 'BGPPeer' && ctx.droppedPeers.has(nameOfRaw(value)))
      );
    })
    .map(({ value, file }) => {
      const comment = rewriteForLab(ctx, value);
      const doc = new Document(value);
      doc.commentBefore = ` from ${file}${comment}`;
      return doc.toString({ lineWidth: 0 });
    });
}

/** Renames nodes and re-points peers in `value` (in place); returns the comment saying so. */
function rewriteForLab(ctx: ImportContext, value: Record<string, unknown>): string {
  const { renamed } = ctx.nodes;
  const name = nameOfRaw(value);
  const rewrite = value.kind === 'BGPPeer' ? ctx.peerRewrites.get(name) : undefined;
  let comment = '';
  const spec0 = (value.spec ?? {}) as Record<string, unknown>;
  if (value.kind === 'BGPPeer' && typeof spec0.node === 'string' && renamed.has(spec0.node)) {
    comment += `; node ${spec0.node} is ${renamed.get(spec0.node)} in the lab`;
    value.spec = { ...spec0, node: renamed.get(spec0.node) };
  }
  if (
    value.kind === 'FelixConfiguration' &&
    name.startsWith('node.') &&
    renamed.has(name.slice(5))
  ) {
    comment += `; was ${name}`;
    value.metadata = {
      ...(value.metadata as object),
      name: `node.${renamed.get(name.slice(5))}`,
    };
  }
  if (rewrite) {
    const spec = (value.spec ?? {}) as Record<string, unknown>;
    comment += `; peerIP ${String(spec.peerIP)} and asNumber ${String(spec.asNumber)} mapped onto the lab router`;
    value.spec = { ...spec, peerIP: rewrite.peerIP, asNumber: rewrite.asNumber };
  }
  return comment;
}

/** The customer's resources as written (list items unpacked), in file order. */
function rawResources(
  sources: readonly LabSource[],
): { value: Record<string, unknown>; file: string }[] {
  const parsed = parseSources(sources);
  const { entries } = collectEntries(parsed.documents);
  return entries
    .filter((e) => e.kind !== 'Lab')
    .map((e) => ({ value: structuredClone(e.value), file: e.pd.file }));
}

function nameOfRaw(v: Record<string, unknown>): string {
  const md = v.metadata as { name?: unknown } | undefined;
  return typeof md?.name === 'string' ? md.name : '';
}

/** Items of spec.<key> lists printed on one line each ({ name: node-1, … }). */
function flowStyleItems(doc: Document, keys: string[]): void {
  const spec = (doc.contents as YAMLMap | null)?.get('spec', true);
  if (!isMap(spec)) return;
  for (const key of keys) {
    const seq = spec.get(key, true);
    if (!isSeq(seq)) continue;
    for (const item of seq.items) if (isMap(item)) item.flow = true;
  }
}
