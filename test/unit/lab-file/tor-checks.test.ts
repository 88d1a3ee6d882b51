// Bad input of a fabric with top-of-rack routers (fabric.racks[].tor): each edit of the
// l3-fabric-two-racks template is refused with a positioned error naming the field, in the
// AS-per-rack model's words; the template itself loads clean.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/core/errors.js';
import { loadSources } from '../../../src/core/lab-file/index.js';

const FILE = 'l3.yaml';
const TEMPLATE = readFileSync('lab-templates/l3-fabric-two-racks.yaml', 'utf8');
function edit(from: string, to: string): string {
  expect(TEMPLATE.includes(from), from).toBe(true);
  return TEMPLATE.replace(from, to);
}
const problems = (text: string): string[] =>
  loadSources([{ file: FILE, text }], { requireLab: true }).problems.map(formatProblem);
/** The 1-based line of the first occurrence of `s` in `text`. */
const lineOf = (text: string, s: string): number =>
  text.slice(0, text.indexOf(s)).split('\n').length;

describe('top-of-rack routers: bad input', () => {
  it('the template is valid', () => {
    expect(problems(TEMPLATE)).toEqual([]);
  });

  const cases: { what: string; text: string; at: string; expect: RegExp }[] = [
    {
      what: "a ToR AS equal to the spine's",
      text: edit('tor: { asNumber: 65101 }', 'tor: { asNumber: 65000 }'),
      at: 'asNumber: 65000 }',
      expect:
        /Lab\(l3-fabric-two-racks\) spec\.fabric\.racks\[0\]\.tor\.asNumber: the top-of-rack router's AS 65000 is the spine's .*eBGP/,
    },
    {
      what: 'two racks in one AS',
      text: edit('asNumber: 65102, exportPodBlocks', 'asNumber: 65101, exportPodBlocks'),
      at: 'asNumber: 65101, exportPodBlocks',
      expect:
        /spec\.fabric\.racks\[1\]\.tor\.asNumber: AS 65101 is already rack rack-a's: in the AS-per-rack model each rack has its own AS/,
    },
    {
      what: 'a ToR AS that is not an AS number',
      text: edit('tor: { asNumber: 65101 }', 'tor: { asNumber: 0 }'),
      at: 'asNumber: 0 }',
      expect: /spec\.fabric\.racks\[0\]\.tor\.asNumber: asNumber must be an AS number/,
    },
    {
      what: 'a rack node with no peer',
      text: edit("  nodeSelector: rack == 'rack-b'", "  nodeSelector: rack == 'rack-c'"),
      at: '- { name: node-b1',
      expect:
        /spec\.nodes\[2\]: node node-b1 in rack rack-b has no BGPPeer with its top-of-rack router rack-b-tor: add one with peerIP 172\.30\.2\.1, asNumber 65102/,
    },
    {
      what: 'a BGPPeer at a ToR with another AS',
      text: edit(
        '  peerIP: 172.30.2.1\n  asNumber: 65102',
        '  peerIP: 172.30.2.1\n  asNumber: 65000',
      ),
      at: 'asNumber: 65000\n',
      expect:
        /BGPPeer\(rack-b-tor\) spec\.asNumber: asNumber 65000 does not match the AS of rack rack-b's top-of-rack router rack-b-tor \(65102\)/,
    },
    {
      what: "a BGPPeer sending other racks' nodes to a ToR",
      text: edit("  nodeSelector: rack == 'rack-a'", '  nodeSelector: all()'),
      at: 'all()',
      expect:
        /BGPPeer\(rack-a-tor\) spec\.nodeSelector: rack-a-tor \(172\.30\.1\.1\) is rack rack-a's top-of-rack router, but this BGPPeer also selects node-b1 \(rack rack-b\)/,
    },
    {
      what: 'the node-to-node mesh left on',
      text: edit('  nodeToNodeMeshEnabled: false', '  nodeToNodeMeshEnabled: true'),
      at: 'tor: { asNumber: 65101 }',
      expect:
        /spec\.fabric\.racks\[0\]\.tor: with top-of-rack routers the node-to-node mesh must be off/,
    },
    {
      // The racks come first in the file, so the name is the ToR's and the node is refused.
      what: 'a ToR name taken by a node',
      text: edit('tor: { asNumber: 65101 }', 'tor: { asNumber: 65101, name: node-b1 }'),
      at: 'name: node-b1, rack',
      expect:
        /spec\.nodes\[2\]\.name: name "node-b1" is already used by top-of-rack router node-b1/,
    },
  ];

  it.each(cases)('$what', ({ text, at, expect: re }) => {
    const found = problems(text);
    const hit = found.find((p) => re.test(p));
    expect(hit, found.join('\n')).toBeDefined();
    expect(hit!.startsWith(`${FILE}:${lineOf(text, at)}:`), hit).toBe(true);
  });
});
