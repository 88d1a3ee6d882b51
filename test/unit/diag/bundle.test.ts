import { describe, expect, test } from 'vitest';
import {
  BUNDLE_VERSION,
  parseBundle,
  pcapPackets,
  unbundleSources,
} from '../../../src/core/diag/bundle.js';
import { LabInputError } from '../../../src/core/errors.js';

const good = {
  format: 'egress-lab/bundle',
  version: 1,
  createdAt: '2026-12-06T00:00:00Z',
  writer: '0.1.0',
  lab: 'case-123',
  sources: [{ file: 'lab.yaml', text: 'kind: Lab\n' }],
  ipam: { blocks: [{ cidr: '192.168.0.0/26', pool: 'p', node: 'node-1' }], assignments: [] },
  containers: {},
  explain: [],
  captures: [],
  dumps: [],
};

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    const p = (e as LabInputError).problems[0]!;
    return `${p.position!.file}:${p.position!.line}:${p.position!.col}: ${p.message}`;
  }
  throw new Error('accepted');
}

describe('bundle format', () => {
  test('up takes a bundle for its lab file, name and pinned addresses; a lab file as it is', () => {
    const text = JSON.stringify(good, null, 2);
    expect(unbundleSources([{ file: 'b.json', text }])).toEqual({
      sources: good.sources,
      pinnedIpam: good.ipam,
      name: 'case-123',
    });
    const lab = [{ file: 'lab.yaml', text: 'kind: Lab\n' }];
    expect(unbundleSources(lab)).toEqual({ sources: lab });
  });

  test('a newer format is refused, naming the writer; a truncated one says so, with the line', () => {
    const newer = JSON.stringify({ ...good, version: BUNDLE_VERSION + 1, writer: '9.0.0' });
    expect(message(() => parseBundle('b.json', newer))).toBe(
      `b.json:1:1: bundle format version ${BUNDLE_VERSION + 1} is newer than this egress-lab reads (${BUNDLE_VERSION}): it was written by egress-lab 9.0.0; update egress-lab to open it`,
    );
    const text = JSON.stringify(good, null, 2);
    const cut = text.slice(0, text.indexOf('"ipam"'));
    expect(message(() => parseBundle('b.json', cut))).toMatch(
      /^b\.json:\d+:1: not a complete bundle \(.*\): the file is truncated or damaged$/,
    );
    expect(message(() => parseBundle('b.json', JSON.stringify({ ...good, sources: [] })))).toBe(
      'b.json:1:1: bundle holds no lab file (sources)',
    );
  });

  test('pcap packets are counted from the record headers', () => {
    const hdr = Buffer.alloc(24);
    hdr.writeUInt32LE(0xa1b2c3d4, 0);
    const rec = Buffer.alloc(16 + 3);
    rec.writeUInt32LE(3, 8);
    expect(pcapPackets(Buffer.concat([hdr, rec, rec]))).toBe(2);
    expect(pcapPackets(Buffer.alloc(0))).toBe(0);
  });
});
