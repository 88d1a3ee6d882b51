// A reproduction bundle: one JSON file with what it takes to bring a lab back and to see what
// it did. JSON rather than a tar.gz or zip: one file any editor, `jq` or a support ticket
// shows as it is, diffable, read by `up` like a lab file (text), and no archive library in
// the app; binary captures go in as base64. `format` names it, `version` says which layout:
// a reader refuses a newer layout instead of guessing at it.
import { LabInputError } from '../errors.js';
import type { NodeDiffResult } from './types.js';
import type { IpamPlan } from '../ipam/types.js';
import type { Role } from '../plan/types.js';

export const BUNDLE_FORMAT = 'egress-lab/bundle';
export const BUNDLE_VERSION = 1;

export interface BundleContainer {
  role: Role;
  /** Pods: their node. */
  node?: string;
  /** What the plan says the container gets, rendered (nodes: ipset, iptables or nft, routes, bird). */
  rendered?: Record<string, string>;
  /** What was live in it when the bundle was made: command output by file name. */
  live: Record<string, string>;
}

export interface BundleCapture {
  container: string;
  iface: string;
  filter: string;
  packets: number;
  pcapBase64: string;
}

export interface Bundle {
  format: typeof BUNDLE_FORMAT;
  version: number;
  createdAt: string;
  /** egress-lab's version that wrote it. */
  writer: string;
  lab: string;
  /** The lab file (and any resources) as the lab was started from them. */
  sources: { file: string; text: string }[];
  /** Blocks and pod addresses as the lab had them: `up BUNDLE` pins them. */
  ipam: IpamPlan;
  containers: Record<string, BundleContainer>;
  /** explain for each `expect` entry (the prediction). */
  explain: unknown[];
  /** check's report (real traffic), when the bundle was made with it. */
  check?: unknown;
  captures: BundleCapture[];
  /** A customer's node dumps and what diff found in them. */
  dumps: { node: string; files: { file: string; text: string }[]; diff?: NodeDiffResult }[];
}

/** Whether a text is a bundle (cheap: its start), so `up` can take either a lab file or one. */
export function looksLikeBundle(text: string): boolean {
  return /^\s*\{\s*"format"\s*:\s*"egress-lab\/bundle"/.test(text);
}

/** Reads a bundle; a newer layout or a damaged file is refused, saying where. */
export function parseBundle(file: string, text: string): Bundle {
  const fail = (message: string, line = 1): never => {
    throw new LabInputError([{ position: { file, line, col: 1 }, message }]);
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    const line = at ? text.slice(0, Number(at)).split('\n').length : text.split('\n').length;
    return fail(
      `not a complete bundle (${(e as Error).message}): the file is truncated or damaged`,
      line,
    );
  }
  const b = data as Partial<Bundle>;
  if (b.format !== BUNDLE_FORMAT) fail(`not an egress-lab bundle (format is not ${BUNDLE_FORMAT})`);
  if (typeof b.version !== 'number' || !Number.isInteger(b.version) || b.version < 1)
    fail('bundle has no valid version');
  if (b.version! > BUNDLE_VERSION)
    fail(
      `bundle format version ${b.version} is newer than this egress-lab reads (${BUNDLE_VERSION}): it was written by egress-lab ${b.writer ?? '(unknown)'}; update egress-lab to open it`,
    );
  if (
    !Array.isArray(b.sources) ||
    !b.sources.length ||
    !b.sources.every((s) => typeof s?.file === 'string' && typeof s?.text === 'string')
  )
    fail('bundle holds no lab file (sources)');
  if (!b.ipam || !Array.isArray(b.ipam.blocks) || !Array.isArray(b.ipam.assignments))
    fail('bundle holds no addresses (ipam)');
  return b as Bundle;
}

/**
 * `up`'s input: a lab file (and resources) as they are, or one bundle, whose lab file, name
 * and addresses (pinned IPAM) bring the same lab back.
 */
export function unbundleSources<S extends { file: string; text: string }>(
  sources: S[],
): { sources: { file: string; text: string }[]; pinnedIpam?: IpamPlan; name?: string } {
  const only = sources.length === 1 ? sources[0] : undefined;
  if (!only || !looksLikeBundle(only.text)) return { sources };
  const b = parseBundle(only.file, only.text);
  return { sources: b.sources, pinnedIpam: b.ipam, name: b.lab };
}

/** Packets in a pcap file (classic format), for a capture added from a file. */
export function pcapPackets(data: Uint8Array): number {
  if (data.length < 24) return 0;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const magic = view.getUint32(0, true);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  let n = 0;
  for (let off = 24; off + 16 <= data.length; n++) off += 16 + view.getUint32(off + 8, little);
  return n;
}
