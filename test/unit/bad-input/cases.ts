// Bad lab files built from the default template by one edit each, with what the error
// must name (kind, field) and where (the edited text). Shared by the bad-input tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const TEMPLATE_PATH = join(import.meta.dirname, '../../../lab-templates/outgoing-nat.yaml');
export const TEMPLATE = readFileSync(TEMPLATE_PATH, 'utf8');

export interface BadCase {
  what: string;
  text: string;
  /** The start of the formatted problem, after "FILE:LINE:COL: ". */
  expect: RegExp;
  /** Text whose first occurrence is where the error must point. */
  at: string;
}

function edit(from: string, to: string): string {
  if (!TEMPLATE.includes(from)) throw new Error(`template has no "${from}"`);
  return TEMPLATE.replace(from, to);
}

const PEER = `---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: { name: nobody }
spec: { peerIP: 172.30.0.99, asNumber: 64500 }
`;

function felix(spec: string, name = 'default'): string {
  return `---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: { name: ${name} }
spec: { ${spec}}
`;
}

export const BAD_CASES: BadCase[] = [
  {
    what: 'lab name with $(…)',
    text: edit('name: outgoing-nat', 'name: "$(touch /tmp/pwned)"'),
    expect: /^Lab\(\$\(touch \/tmp\/pwned\)\) metadata\.name: .*DNS-1123/,
    at: '"$(touch',
  },
  {
    what: 'node name with ; and a space',
    text: edit('name: node-1, address', 'name: "n1;rm -rf /", address'),
    expect:
      /^Lab\(outgoing-nat\) spec\.nodes\[0\]\.name: node name "n1;rm -rf \/" must be a DNS-1123 label/,
    at: '"n1;rm',
  },
  {
    what: 'pod name with a path separator',
    text: edit('name: web-1, node', 'name: "../../etc", node'),
    expect:
      /^Lab\(outgoing-nat\) spec\.pods\[0\]\.name: pod name "\.\.\/\.\.\/etc" must be a DNS-1123 label/,
    at: '"../../etc"',
  },
  {
    what: 'host name with a pipe and backquotes',
    text: edit('name: internet,', 'name: "x|`id`",'),
    expect: /^Lab\(outgoing-nat\) spec\.hosts\[0\]\.name: host name .* must be a DNS-1123 label/,
    at: '"x|',
  },
  {
    what: 'router name with a slash',
    text: edit('name: tor,', 'name: "tor/0",'),
    expect: /^Lab\(outgoing-nat\) spec\.router\.name: .*DNS-1123/,
    at: '"tor/0"',
  },
  {
    what: 'pool name with a slash',
    text: edit('name: default-ipv4-ippool', 'name: "a/b"'),
    expect: /^IPPool\(a\/b\) metadata\.name: error with field Metadata\.Name = 'a\/b'/,
    at: '"a/b"',
  },
  {
    what: 'a 0.0.0.0/0 pool',
    text: edit('cidr: 192.168.0.0/16', 'cidr: 0.0.0.0/0'),
    expect: /^IPPool\(default-ipv4-ippool\) spec\.cidr: .*'0\.0\.0\.0\/0'.*Link Local/,
    at: '0.0.0.0/0',
  },
  {
    what: 'a pool overlapping the fabric',
    text: edit('cidr: 192.168.0.0/16', 'cidr: 172.30.0.0/16'),
    expect:
      /^IPPool\(default-ipv4-ippool\) spec\.cidr: .*overlaps the lab fabric 172\.30\.0\.0\/24/,
    at: '172.30.0.0/16',
  },
  {
    what: "a pool overlapping a host's segment",
    text: edit('cidr: 192.168.0.0/16', 'cidr: 203.0.113.0/24'),
    expect: /^IPPool\(default-ipv4-ippool\) spec\.cidr: .*overlaps host internet/,
    at: '203.0.113.0/24',
  },
  {
    what: 'a BGPPeer to an address nobody has',
    text: TEMPLATE + PEER,
    expect:
      /^BGPPeer\(nobody\) spec\.peerIP: peerIP 172\.30\.0\.99 is neither the router .* nor a node/,
    at: '172.30.0.99',
  },
  {
    what: 'calicoVersion the lab does not model',
    text: edit('calicoVersion: v3.30', 'calicoVersion: v3.29'),
    expect:
      /^Lab\(outgoing-nat\) spec\.calicoVersion: calicoVersion v3\.29 is not modelled: the lab reproduces v3\.30, v3\.31, v3\.32 or v3\.33/,
    at: 'v3.29',
  },
  {
    what: 'calicoVersion in the wrong case',
    text: edit('calicoVersion: v3.30', 'calicoVersion: V3.31'),
    expect:
      /^Lab\(outgoing-nat\) spec\.calicoVersion: calicoVersion must be one of v3\.30, v3\.31, v3\.32 or v3\.33 .*got "V3\.31"/,
    at: 'V3.31',
  },
  {
    what: 'nftablesMode in the wrong case',
    text: TEMPLATE + felix('nftablesMode: enabled'),
    expect:
      /^FelixConfiguration\(default\) spec\.nftablesMode: error with field NFTablesMode = 'enabled' \(Unsupported value: "enabled": supported values: "Disabled", "Enabled", "Auto"\)$/,
    at: 'enabled}',
  },
  {
    what: 'nftablesMode in capitals',
    text: TEMPLATE + felix('nftablesMode: AUTO'),
    expect:
      /^FelixConfiguration\(default\) spec\.nftablesMode: error with field NFTablesMode = 'AUTO' \(Unsupported value: "AUTO"/,
    at: 'AUTO',
  },
  {
    what: 'bpfEnabled true (the eBPF dataplane is not emulated)',
    text: TEMPLATE + felix('bpfEnabled: true'),
    expect:
      /^FelixConfiguration\(default\) spec\.bpfEnabled: bpfEnabled: true is refused: the lab emulates Felix's iptables dataplane only/,
    at: 'true}',
  },
  {
    what: 'bpfEnabled true with nftablesMode Enabled on one node',
    text: TEMPLATE + felix('bpfEnabled: true, nftablesMode: Enabled', 'node.node-1'),
    expect:
      /^FelixConfiguration\(node\.node-1\) spec\.bpfEnabled: bpfEnabled: true is refused: .*nftablesMode: Enabled is set as well/,
    at: 'true,',
  },
  {
    what: 'bpfEnabled as a string',
    text: TEMPLATE + felix('bpfEnabled: "yes"'),
    expect: /^FelixConfiguration\(default\) spec\.bpfEnabled: /,
    at: '"yes"',
  },
];

/** 1-based line and column of the first occurrence of `needle`. */
export function positionOf(text: string, needle: string): { line: number; col: number } {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`"${needle}" not in text`);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

/** A file over the 1 MiB limit: a valid lab padded with a comment. */
export const HUGE = `${TEMPLATE}# ${'x'.repeat(1024 * 1024)}\n`;
/** Nesting far deeper than the 64-level limit, in block style. */
export const DEEP = `${TEMPLATE}---\n${Array.from({ length: 200 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} x\n`;
/** Deep flow nesting inside a field the lab knows. */
export const DEEP_FLOW = edit(
  'labels: { zone: a }',
  `labels: ${'['.repeat(100)}${']'.repeat(100)}`,
);
