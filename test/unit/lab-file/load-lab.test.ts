import { describe, expect, it } from 'vitest';
import { loadLab, loadLabWithIndex, loadResources } from '../../../src/core/lab-file/index.js';
import { fixture, linesOf, problemsOf, whereIs } from './helpers.js';

const LAB = `apiVersion: egress-lab/v1
kind: Lab
metadata:
  name: t
spec:
  nodes:
    - {name: node-1, labels: {zone: a}}
    - {name: node-2, labels: {zone: b}}
  pods:
    - {name: web-1, node: node-1}
  hosts:
    - {name: internet, address: 203.0.113.10/24}
`;

const POOL = (name: string, spec: string) => `---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: ${name}}
spec: ${spec}
`;

const load = (text: string, file = 'lab.yaml') => loadLab([{ file, text }]);

describe('loadLab: a valid lab', () => {
  it('loads the issue example with every default filled in', () => {
    const lab = loadLab([fixture('outgoing-nat.yaml')]);
    expect(lab.name).toBe('outgoing-nat');
    expect(lab.calicoVersion).toBe('v3.30');
    expect(lab.router).toEqual({ name: 'tor', address: '172.30.0.1', asNumber: 64500 });
    // node-1 keeps its address; node-2 gets the lowest free one after the router.
    expect(lab.nodes.map((n) => n.address)).toEqual(['172.30.0.11', '172.30.0.2']);
    expect(lab.nodes[0]!.labels).toEqual({ zone: 'a', 'kubernetes.io/hostname': 'node-1' });
    expect(lab.pods[1]).toMatchObject({ name: 'db-1', namespace: 'default' });
    expect(lab.hosts[0]).toEqual({
      name: 'internet',
      address: '203.0.113.10',
      prefixLength: 24,
      gateway: '203.0.113.1',
      tcpPorts: [8080],
      udpPorts: [8081],
    });
    expect(lab.expect[0]).toEqual({
      from: 'web-1',
      to: 'internet',
      protocol: 'icmp',
      seenAs: 'node',
      reply: true,
    });
    expect(lab.ipPools.map((p) => [p.name, p.spec.cidr, p.spec.natOutgoing])).toEqual([
      ['default-ipv4-ippool', '192.168.0.0/16', true],
      ['other-pool', '10.244.0.0/16', false],
    ]);
    expect(lab.bgpConfiguration).toEqual({
      kind: 'BGPConfiguration',
      name: 'default',
      spec: { asNumber: 64512, nodeToNodeMeshEnabled: true },
    });
    expect(lab.felixConfiguration).toEqual({
      kind: 'FelixConfiguration',
      name: 'default',
      spec: {},
    });
    expect(lab.bgpPeers).toEqual([
      { kind: 'BGPPeer', name: 'tor', spec: { peerIP: '172.30.0.1', asNumber: 64500 } },
    ]);
  });

  it('behaves like calico-node when the file has no IPPool', () => {
    const lab = loadLab([fixture('no-pool-lab.yaml')]);
    expect(lab.ipPools).toHaveLength(1);
    expect(lab.ipPools[0]).toMatchObject({
      name: 'default-ipv4-ippool',
      spec: {
        cidr: '192.168.0.0/16',
        natOutgoing: true,
        blockSize: 26,
        disabled: false,
        nodeSelector: 'all()',
      },
    });
    expect(lab.fabric.cidr).toBe('172.30.0.0/24');
    // Router .1, node-3 asked for .3, so node-1 and node-2 take .2 and .4.
    expect(lab.nodes.map((n) => n.address)).toEqual(['172.30.0.2', '172.30.0.4', '172.30.0.3']);
    expect(lab.hosts[0]).toMatchObject({
      address: '198.51.100.7',
      prefixLength: 24,
      gateway: '198.51.100.1',
    });
    expect(lab.expect[0]).toMatchObject({ protocol: 'tcp', port: 8080 });
  });

  it('gives a host whose address is the first of its segment the next address as gateway', () => {
    const lab = load(LAB.replace('203.0.113.10/24', '203.0.113.1/24'));
    expect(lab.hosts[0]!.gateway).toBe('203.0.113.2');
  });

  it('accepts calicoctl and kubectl output with their server-side metadata', () => {
    const lab = loadLab([{ file: 'lab.yaml', text: LAB }, fixture('calicoctl-get-ippool.yaml')]);
    expect(lab.ipPools.map((p) => [p.name, p.spec.cidr, p.spec.disabled, p.spec.ipipMode])).toEqual(
      [
        ['default-ipv4-ippool', '192.168.0.0/16', false, 'Always'],
        ['no-nat-corp', '10.0.0.0/8', true, 'Never'],
      ],
    );
    const k = loadResources([fixture('kubectl-get-ippools.yaml')]);
    expect(k.ipPools.map((p) => p.spec.cidr)).toEqual(['192.168.0.0/16']);
    expect(k.lab).toBeUndefined();
  });

  it('keeps the FelixConfiguration fields the lab models and accepts the others', () => {
    const lab = loadLab([
      { file: 'lab.yaml', text: LAB },
      fixture('calicoctl-get-felixconfiguration.yaml'),
    ]);
    expect(lab.felixConfiguration.spec).toEqual({
      natOutgoingAddress: '172.30.0.11',
      vxlanVNI: 4096,
    });
  });

  it('loads Calico resources without a Lab document', () => {
    const r = loadResources([fixture('resources-only.yaml')]);
    expect(r.ipPools.map((p) => [p.spec.cidr, p.spec.blockSize, p.spec.ipipMode])).toEqual([
      ['172.16.0.0/26', 29, 'Always'],
    ]);
    expect(r.bgpConfigurations[0]!.spec).toEqual({
      asNumber: 63400,
      nodeToNodeMeshEnabled: false,
      logSeverityScreen: 'Info',
    });
    expect(r.bgpPeers[0]!.spec).toEqual({ peerIP: '192.20.30.40', asNumber: 64567 });
  });

  it('remembers where each resource and field came from', () => {
    const src = fixture('outgoing-nat.yaml');
    const { index } = loadLabWithIndex([src]);
    const at = whereIs(src.text, '10.244.0.0/16');
    expect(index.positionOf('IPPool', 'other-pool', ['spec', 'cidr'])).toEqual({
      file: src.file,
      ...at,
    });
    expect(index.positionOf('Lab', 'outgoing-nat', ['spec', 'nodes', 1, 'name'])).toEqual({
      file: src.file,
      ...whereIs(src.text, 'node-2'),
    });
    expect(index.positionOf('IPPool', 'nope')).toBeUndefined();
  });

  it('honours per-node FelixConfigurations', () => {
    const text = `${LAB}---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: node.node-1}
spec: {natOutgoingAddress: 172.30.0.2}
`;
    expect(load(text).felixNodeConfigurations).toEqual([
      {
        kind: 'FelixConfiguration',
        name: 'node.node-1',
        spec: { natOutgoingAddress: '172.30.0.2' },
      },
    ]);
  });
});

describe('loadLab: structure errors with positions', () => {
  it('reports YAML syntax errors at their line', () => {
    const text = 'apiVersion: egress-lab/v1\nkind: Lab\nmetadata: {name: x\nspec: {}\n';
    const lines = linesOf(() => load(text));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^lab\.yaml:\d+:\d+: YAML: /);
  });

  it('names an unknown field, suggests the right one and points at the key', () => {
    const text = LAB + POOL('p', '{cidr: 10.244.0.0/16, natOutgoin: true}');
    const { line, col } = whereIs(text, 'natOutgoin');
    expect(linesOf(() => load(text))).toEqual([
      `lab.yaml:${line}:${col}: IPPool(p) spec.natOutgoin: unknown field "natOutgoin" (did you mean "natOutgoing"?)`,
    ]);
  });

  it('still checks the rest of a resource that has an unknown field', () => {
    const text = LAB + POOL('p', '{cidr: 10.244.0.1/16, natOutgoin: true}');
    expect(problemsOf(() => load(text)).map((p) => p.message)).toEqual([
      'unknown field "natOutgoin" (did you mean "natOutgoing"?)',
      "error with field IPPool.Spec.CIDR = '10.244.0.0/16' (IPPool CIDR is not strictly masked)",
    ]);
  });

  it('says which type was expected and what was found', () => {
    const text = LAB + POOL('p', '{cidr: 10.244.0.0/16, natOutgoing: "yes"}');
    const { line, col } = whereIs(text, '"yes"');
    expect(linesOf(() => load(text))).toEqual([
      `lab.yaml:${line}:${col}: IPPool(p) spec.natOutgoing: expected a boolean (true or false), got string "yes" (YAML 1.2: write true or false, unquoted)`,
    ]);
  });

  it('reports a missing required field at its parent', () => {
    const text = LAB.replace('- {name: node-2, labels: {zone: b}}', '- {labels: {zone: b}}');
    const { line, col } = whereIs(text, '{labels: {zone: b}}');
    expect(linesOf(() => load(text))).toEqual([
      `lab.yaml:${line}:${col}: Lab(t) spec.nodes[1].name: missing required field "name" (a string)`,
    ]);
  });

  it('reports duplicate keys', () => {
    const text = LAB.replace('  name: t\n', '  name: t\n  name: u\n');
    const { line } = whereIs(text, 'name: u');
    expect(linesOf(() => load(text))).toEqual([`lab.yaml:${line}:3: YAML: duplicate key "name"`]);
  });

  it('suggests quoting a label value written as a number', () => {
    const text = LAB.replace('{zone: a}', '{zone: 1}');
    expect(linesOf(() => load(text))[0]).toContain(
      'spec.nodes[0].labels.zone: expected a string, got number 1 (quote it: "1")',
    );
  });

  it('rejects kinds it does not know and documents that are not mappings', () => {
    const text = `${LAB}---\napiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {name: x}\n---\n- a list\n`;
    const lines = linesOf(() => load(text));
    expect(lines[0]).toMatch(/kind "HostEndpoint" is not supported here/);
    expect(lines[1]).toMatch(/each YAML document must be a mapping/);
  });

  it('requires a Lab document for loadLab', () => {
    expect(linesOf(() => loadLab([fixture('resources-only.yaml')]))).toEqual([
      'test/fixtures/resources-only.yaml:1:1: no Lab document found: a lab file starts with "apiVersion: egress-lab/v1" and "kind: Lab"',
    ]);
  });

  it('collects every problem, in every file, not only the first', () => {
    const bad = LAB.replace(
      '{name: node-1, labels: {zone: a}}',
      '{name: node-1, labelz: {zone: a}}',
    );
    const problems = problemsOf(() =>
      loadLab([
        { file: 'a.yaml', text: bad },
        { file: 'b.yaml', text: POOL('p', '{cidr: 10.0.0.1/24}').slice(4) },
      ]),
    );
    expect(problems.map((p) => p.position?.file)).toEqual(['b.yaml', 'a.yaml']);
  });
});

describe('loadLab: Calico resources with calicoctl messages', () => {
  it('positions an IPPool error at spec.cidr', () => {
    const text = LAB + POOL('p', '{cidr: 10.244.0.1/16}');
    const { line, col } = whereIs(text, '10.244.0.1/16');
    expect(linesOf(() => load(text))).toEqual([
      `lab.yaml:${line}:${col}: IPPool(p) spec.cidr: error with field IPPool.Spec.CIDR = '10.244.0.0/16' (IPPool CIDR is not strictly masked)`,
    ]);
  });

  it('reports overlapping pools with calicoctl message', () => {
    const text = LAB + POOL('a', '{cidr: 10.244.0.0/16}') + POOL('b', '{cidr: 10.244.1.0/24}');
    const { line, col } = whereIs(text, '10.244.1.0/24');
    expect(linesOf(() => load(text))).toEqual([
      `lab.yaml:${line}:${col}: IPPool(b) spec.cidr: error with field IPPool.Spec.CIDR = '10.244.1.0/24' (IPPool(b) CIDR overlaps with IPPool(a) CIDR 10.244.0.0/16)`,
    ]);
  });

  it('rejects two pools with the same name', () => {
    const text = LAB + POOL('a', '{cidr: 10.244.0.0/16}') + POOL('a', '{cidr: 10.245.0.0/16}');
    const first = whereIs(text, 'apiVersion: projectcalico.org/v3');
    expect(linesOf(() => load(text))[0]).toContain(
      `IPPool(a) metadata.name: duplicate name: IPPool(a) is already defined at lab.yaml:${first.line}:1`,
    );
  });

  it('validates FelixConfiguration NAT fields', () => {
    const text = `${LAB}---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec:
  natOutgoingAddress: fd00::1
  iptablesNATOutgoingInterfaceFilter: "eth0;reboot"
  natPortRange: "40000:30000"
  natOutgoingExclusions: Everything
`;
    const lines = linesOf(() => load(text));
    expect(lines).toEqual([
      `lab.yaml:${whereIs(text, 'fd00::1').line}:23: FelixConfiguration(default) spec.natOutgoingAddress: error with field NATOutgoingAddress = 'fd00::1' (is not a valid IPv4 address)`,
      `lab.yaml:${whereIs(text, '"eth0;reboot"').line}:39: FelixConfiguration(default) spec.iptablesNATOutgoingInterfaceFilter: error with field IptablesNATOutgoingInterfaceFilter = 'eth0;reboot' (Reason: failed to validate Field: IptablesNATOutgoingInterfaceFilter because of Tag: ifaceFilter )`,
      `lab.yaml:${whereIs(text, '"40000:30000"').line}:17: FelixConfiguration(default) spec.natPortRange: error with field Port = '30000' (port range invalid)`,
      `lab.yaml:${whereIs(text, 'Everything').line}:26: FelixConfiguration(default) spec.natOutgoingExclusions: error with field NATOutgoingExclusions = 'Everything' (Reason: failed to validate Field: NATOutgoingExclusions because of Tag: oneof )`,
    ]);
  });

  it('accepts natOutgoingExclusions only from Calico v3.31', () => {
    const felix = `---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {natOutgoingExclusions: IPPoolsAndHostIPs, natPortRange: "32768:65535"}
`;
    expect(linesOf(() => load(LAB + felix))[0]).toContain(
      'natOutgoingExclusions exists from Calico v3.31',
    );
    const lab = load(LAB.replace('spec:\n', 'spec:\n  calicoVersion: v3.31\n') + felix);
    expect(lab.felixConfiguration.spec).toEqual({
      natOutgoingExclusions: 'IPPoolsAndHostIPs',
      natPortRange: '32768:65535',
    });
  });

  it('validates BGPPeer and BGPConfiguration fields', () => {
    const text = `${LAB}---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: p}
spec: {peerIP: 172.30.0.1, peerSelector: all(), asNumber: 64500}
---
apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: {name: default}
spec: {asNumber: "x", logSeverityScreen: Loud}
`;
    const messages = problemsOf(() => load(text)).map((p) => p.message);
    expect(messages).toEqual([
      "error with field PeerIP = '172.30.0.1' (PeerIP field must be empty when PeerSelector is specified)",
      "error with field ASNumber = '64500' (ASNumber field must be empty when PeerSelector is specified)",
      "error with field ASNumber = 'x' (invalid AS number)",
      "error with field LogSeverityScreen = 'Loud' (Reason: failed to validate Field: LogSeverityScreen because of Tag: logLevel )",
    ]);
  });
});

describe('YAML conveniences', () => {
  it('supports anchors and merge keys', () => {
    const text = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: t}
spec:
  nodes:
    - &node {name: node-1, labels: {zone: a}}
    - {<<: *node, name: node-2}
`;
    expect(loadLab([{ file: 'lab.yaml', text }]).nodes.map((n) => [n.name, n.labels.zone])).toEqual(
      [
        ['node-1', 'a'],
        ['node-2', 'a'],
      ],
    );
  });
});

describe('text as editors save it', () => {
  it('loads CRLF line endings and a byte order mark, with the same positions', () => {
    const lf = LAB + POOL('p', '{cidr: 10.244.0.1/16}');
    const crlf = '\uFEFF' + lf.replace(/\n/g, '\r\n');
    const a = problemsOf(() => load(lf))[0]!.position;
    const b = problemsOf(() => load(crlf))[0]!.position;
    expect(b).toEqual(a);
    expect(load(LAB.replace(/\n/g, '\r\n')).nodes).toHaveLength(2);
  });
});
