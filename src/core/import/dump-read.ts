// Reading a customer's cluster dump: `kubectl get nodes -o yaml` (or `calicoctl get nodes`),
// `kubectl get pods -A -o wide` (a table) or `-o yaml`, `calicoctl get ipamblocks,blockaffinities
// -o yaml` (or kubectl's crd.projectcalico.org/v1 copies), in any file and any order, beside
// the Calico resources the lab loads. The dump's documents are taken out of the text (blanked,
// so every later position still points at the customer's line) and read here; everything else
// goes to the lab loader as before. Kinds from other tools are left out, each with its position.
import { LineCounter, parseAllDocuments } from 'yaml';
import type { SourcePosition } from '../errors.js';
import type { LabSource } from '../lab-file/source.js';
import { isIPv4 } from '../net/cidr.js';

export interface DumpNode {
  name: string;
  labels: Record<string, string>;
  /** IPv4 address (Calico's IPv4Address annotation or bgp.ipv4Address, else InternalIP). */
  address?: string;
  /** Prefix length from Calico's IPv4Address, when given. */
  prefix?: number;
  ipipTunnelAddr?: string;
  vxlanTunnelAddr?: string;
  at: SourcePosition;
}

export interface DumpPod {
  namespace: string;
  name: string;
  node?: string;
  ip?: string;
  hostNetwork: boolean;
  /** STATUS (table) or status.phase (YAML): Running, Pending, Completed, Succeeded, … */
  phase?: string;
  at: SourcePosition;
}

export interface DumpBlock {
  cidr: string;
  /** Node the block is affine to ("host:NAME"), if any. */
  node?: string;
  /** Addresses in use: ordinal -> who holds it. */
  allocations: {
    ordinal: number;
    namespace?: string;
    pod?: string;
    node?: string;
    type?: string;
  }[];
  at: SourcePosition;
}

export interface ClusterDump {
  nodes: DumpNode[];
  pods: DumpPod[];
  blocks: DumpBlock[];
  affinities: { cidr: string; node: string; state?: string; at: SourcePosition }[];
  /** Positioned lines: what was left out and why. */
  leftOut: string[];
}

export const DUMP_KINDS = ['Node', 'Pod', 'IPAMBlock', 'BlockAffinity'] as const;
const CALICO_KINDS = new Set([
  'IPPool',
  'BGPConfiguration',
  'BGPPeer',
  'FelixConfiguration',
  'Lab',
  'List',
  'IPPoolList',
  'BGPPeerList',
  'BGPConfigurationList',
  'FelixConfigurationList',
]);

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function emptyDump(): ClusterDump {
  return { nodes: [], pods: [], blocks: [], affinities: [], leftOut: [] };
}

export function dumpIsEmpty(d: ClusterDump): boolean {
  return !d.nodes.length && !d.pods.length && !d.blocks.length && !d.affinities.length;
}

/** The dump's documents read, and the sources left for the lab loader. */
export function splitDump(sources: readonly LabSource[]): {
  calicoSources: LabSource[];
  dump: ClusterDump;
} {
  const dump = emptyDump();
  const calicoSources: LabSource[] = [];
  for (const s of sources) {
    if (looksLikeTable(s.text)) {
      readTable(s, dump);
      continue;
    }
    const kept = readYaml(s, dump);
    if (kept.trim()) calicoSources.push({ file: s.file, text: kept });
  }
  return { calicoSources, dump };
}

// ---- kubectl tables (-o wide) ----

function looksLikeTable(text: string): boolean {
  const first = text.split('\n', 1)[0] ?? '';
  return /^(NAMESPACE\s+)?NAME\s{2,}\S/.test(first) && !first.includes(':');
}

function readTable(s: LabSource, dump: ClusterDump): void {
  const lines = s.text.split('\n');
  const header = lines[0]!;
  // kubectl aligns every column (tabwriter), so a column's cells start where its title does.
  const cols: { name: string; start: number }[] = [];
  for (const m of header.matchAll(/\S+(?: \S+)*/g)) cols.push({ name: m[0], start: m.index });
  const cell = (line: string, name: string): string | undefined => {
    const i = cols.findIndex((c) => c.name === name);
    if (i < 0) return undefined;
    const end = cols[i + 1]?.start ?? line.length;
    return line.slice(cols[i]!.start, end).trim() || undefined;
  };
  const has = (n: string) => cols.some((c) => c.name === n);
  const at = (line: number): SourcePosition => ({ file: s.file, line, col: 1 });
  if (has('IP') && has('NODE')) {
    if (!has('NAMESPACE'))
      dump.leftOut.push(
        `${s.file}:1:1: no NAMESPACE column (kubectl get pods without -A): the pods are taken as in namespace "default"`,
      );
    lines.slice(1).forEach((line, i) => {
      if (!line.trim()) return;
      const name = cell(line, 'NAME');
      const ip = cell(line, 'IP');
      const node = cell(line, 'NODE');
      if (!name || line.length < cols[cols.length - 1]!.start - 1) {
        dump.leftOut.push(`${s.file}:${i + 2}:1: a row cut short (truncated output?): left out`);
        return;
      }
      dump.pods.push({
        namespace: cell(line, 'NAMESPACE') ?? 'default',
        name,
        ...(node && node !== '<none>' ? { node } : {}),
        ...(ip && ip !== '<none>' ? { ip } : {}),
        ...(cell(line, 'STATUS') ? { phase: cell(line, 'STATUS')! } : {}),
        hostNetwork: false,
        at: at(i + 2),
      });
    });
    return;
  }
  if (has('INTERNAL-IP')) {
    lines.slice(1).forEach((line, i) => {
      const name = cell(line, 'NAME');
      if (!name) return;
      const ip = cell(line, 'INTERNAL-IP');
      dump.nodes.push({
        name,
        labels: {},
        ...(ip && isIPv4(ip) ? { address: ip } : {}),
        at: at(i + 2),
      });
    });
    return;
  }
  dump.leftOut.push(
    `${s.file}:1:1: a table that is neither \`kubectl get pods -o wide\` (IP and NODE columns) nor \`kubectl get nodes -o wide\` (INTERNAL-IP): left out`,
  );
}

// ---- YAML ----

function readYaml(s: LabSource, dump: ClusterDump): string {
  const lc = new LineCounter();
  let docs;
  try {
    docs = parseAllDocuments(s.text, { lineCounter: lc, prettyErrors: false });
  } catch {
    return s.text; // the loader reports it, with its position
  }
  if (!Array.isArray(docs)) return s.text;
  const chars = s.text.split('');
  const pos = (offset: number): SourcePosition => {
    const { line, col } = lc.linePos(offset);
    return { file: s.file, line, col };
  };
  for (const doc of docs) {
    if (doc.errors.length) continue; // left to the loader, which positions the error
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (!isRec(value) || !doc.range) continue;
    const kind = str(value.kind);
    const items = Array.isArray(value.items) ? (value.items as unknown[]) : undefined;
    const itemKinds = items?.map((x) => (isRec(x) ? str(x.kind) : undefined)) ?? [];
    const listOfDump =
      items !== undefined &&
      (kind === 'List' || /^(Node|Pod|IPAMBlock|BlockAffinity)List$/.test(kind ?? '')) &&
      items.length > 0 &&
      itemKinds.every((k) => k === undefined || !CALICO_KINDS.has(k)) &&
      itemKinds.some((k) => k !== undefined && !CALICO_KINDS.has(k));
    const emptyDumpList =
      items !== undefined &&
      items.length === 0 &&
      /^(Node|Pod|IPAMBlock|BlockAffinity)List$/.test(kind ?? '');
    const single = kind !== undefined && !CALICO_KINDS.has(kind) && items === undefined;
    if (!listOfDump && !single && !emptyDumpList) continue;
    const start = doc.range[0];
    const end = doc.range[2];
    if (listOfDump) {
      const implied = kind!.endsWith('List') && kind !== 'List' ? kind!.slice(0, -4) : undefined;
      const seq = doc.get('items', true) as { items?: { range?: [number, number, number] }[] };
      items!.forEach((item, i) =>
        readItem(item, implied, pos(seq?.items?.[i]?.range?.[0] ?? start), dump),
      );
    } else if (single) readItem(value, undefined, pos(start), dump);
    for (let i = start; i < end; i++) if (chars[i] !== '\n') chars[i] = ' ';
  }
  return chars.join('');
}

function readItem(
  item: unknown,
  implied: string | undefined,
  at: SourcePosition,
  dump: ClusterDump,
) {
  const where = `${at.file}:${at.line}:${at.col}`;
  if (!isRec(item)) {
    dump.leftOut.push(`${where}: a list item that is not a resource: left out`);
    return;
  }
  const kind = str(item.kind) ?? implied;
  const md = isRec(item.metadata) ? item.metadata : {};
  const name = str(md.name);
  const spec = isRec(item.spec) ? item.spec : undefined;
  const what = `${kind ?? 'resource'}(${name ?? ''})`;
  if (!name || (kind !== 'Node' && kind !== 'Pod' && !spec)) {
    dump.leftOut.push(
      `${where}: ${what} has no ${name ? 'spec' : 'metadata.name'} (truncated dump?): left out`,
    );
    return;
  }
  switch (kind) {
    case 'Node':
      return readNode(item, name, md, at, dump);
    case 'Pod':
      return readPod(item, name, md, at, dump);
    case 'IPAMBlock':
      return readBlock(spec!, at, dump, what);
    case 'BlockAffinity': {
      const cidr = str(spec!.cidr);
      const node = str(spec!.node);
      if (!cidr || !node) {
        dump.leftOut.push(`${where}: ${what} has no spec.cidr or spec.node: left out`);
        return;
      }
      dump.affinities.push({
        cidr,
        node,
        ...(str(spec!.state) ? { state: str(spec!.state)! } : {}),
        at,
      });
      return;
    }
    default:
      dump.leftOut.push(
        `${where}: ${what} left out: not part of a cluster dump the import reads (IPPool, FelixConfiguration, BGPConfiguration, BGPPeer, Node, Pod, IPAMBlock, BlockAffinity)`,
      );
  }
}

function readNode(item: Rec, name: string, md: Rec, at: SourcePosition, dump: ClusterDump) {
  const ann = isRec(md.annotations) ? (md.annotations as Record<string, unknown>) : {};
  const labels: Record<string, string> = {};
  if (isRec(md.labels))
    for (const [k, v] of Object.entries(md.labels)) if (typeof v === 'string') labels[k] = v;
  const spec = isRec(item.spec) ? item.spec : {};
  const bgp = isRec(spec.bgp) ? spec.bgp : {};
  // Calico's annotation (kubectl) or the Calico Node's spec.bgp (calicoctl get nodes).
  const calicoAddr = str(ann['projectcalico.org/IPv4Address']) ?? str(bgp.ipv4Address);
  let address: string | undefined;
  let prefix: number | undefined;
  if (calicoAddr) {
    const [a, p] = calicoAddr.split('/');
    if (a && isIPv4(a)) {
      address = a;
      if (p && /^\d+$/.test(p)) prefix = Number(p);
    }
  }
  if (!address) {
    const status = isRec(item.status) ? item.status : {};
    const addrs = Array.isArray(status.addresses) ? status.addresses : [];
    for (const x of addrs)
      if (
        isRec(x) &&
        x.type === 'InternalIP' &&
        typeof x.address === 'string' &&
        isIPv4(x.address)
      ) {
        address = x.address;
        break;
      }
  }
  const ipip = str(ann['projectcalico.org/IPv4IPIPTunnelAddr']) ?? str(bgp.ipv4IPIPTunnelAddr);
  const vxlan = str(ann['projectcalico.org/IPv4VXLANTunnelAddr']) ?? str(spec.ipv4VXLANTunnelAddr);
  dump.nodes.push({
    name,
    labels,
    ...(address ? { address } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
    ...(ipip ? { ipipTunnelAddr: ipip } : {}),
    ...(vxlan ? { vxlanTunnelAddr: vxlan } : {}),
    at,
  });
}

function readPod(item: Rec, name: string, md: Rec, at: SourcePosition, dump: ClusterDump) {
  const spec = isRec(item.spec) ? item.spec : {};
  const status = isRec(item.status) ? item.status : {};
  const ann = isRec(md.annotations) ? (md.annotations as Record<string, unknown>) : {};
  const fromAnn = str(ann['cni.projectcalico.org/podIP'])?.split('/')[0];
  const ip = str(status.podIP) ?? fromAnn;
  const node = str(spec.nodeName);
  dump.pods.push({
    namespace: str(md.namespace) ?? 'default',
    name,
    ...(node ? { node } : {}),
    ...(ip ? { ip } : {}),
    ...(str(status.phase) ? { phase: str(status.phase)! } : {}),
    hostNetwork: spec.hostNetwork === true,
    at,
  });
}

function readBlock(spec: Rec, at: SourcePosition, dump: ClusterDump, what: string) {
  const cidr = str(spec.cidr);
  if (!cidr) {
    dump.leftOut.push(`${at.file}:${at.line}:${at.col}: ${what} has no spec.cidr: left out`);
    return;
  }
  const aff = str(spec.affinity);
  const node = aff?.startsWith('host:') ? aff.slice(5) : undefined;
  const attrs = Array.isArray(spec.attributes) ? spec.attributes : [];
  const allocations: DumpBlock['allocations'] = [];
  const allocs = Array.isArray(spec.allocations) ? spec.allocations : [];
  allocs.forEach((a, ordinal) => {
    if (typeof a !== 'number') return;
    const attr = attrs[a];
    const sec = isRec(attr) && isRec(attr.secondary) ? attr.secondary : {};
    allocations.push({
      ordinal,
      ...(str(sec.namespace) ? { namespace: str(sec.namespace)! } : {}),
      ...(str(sec.pod) ? { pod: str(sec.pod)! } : {}),
      ...(str(sec.node) ? { node: str(sec.node)! } : {}),
      ...(str(sec.type) ? { type: str(sec.type)! } : {}),
    });
  });
  dump.blocks.push({ cidr, ...(node ? { node } : {}), allocations, at });
}
