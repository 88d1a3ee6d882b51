// Checks across the file: each resource is fine alone, the combination is not.
import { describe, expect, it } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { linesOf, problemsOf, whereIs } from './helpers.js';

const lab = (spec: string, resources = '') => `apiVersion: egress-lab/v1
kind: Lab
metadata:
  name: t
spec:
  fabric: {cidr: 172.30.0.0/24}
${spec}${resources}`;

const NODES = `  nodes:
    - {name: node-1, labels: {zone: a}}
    - {name: node-2, labels: {zone: b}}
`;

const pool = (name: string, spec: string) => `---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: ${name}}
spec: ${spec}
`;

const load = (text: string) => loadLab([{ file: 'lab.yaml', text }]);
const messages = (text: string) => problemsOf(() => load(text)).map((p) => p.message);

describe('pools against the lab network', () => {
  it('rejects an enabled pool overlapping the fabric', () => {
    const text = lab(NODES, pool('p', '{cidr: 172.30.0.0/16}'));
    const { line, col } = whereIs(text, '172.30.0.0/16');
    expect(linesOf(() => load(text))).toEqual([
      `lab.yaml:${line}:${col}: IPPool(p) spec.cidr: enabled IPPool(p) CIDR 172.30.0.0/16 overlaps the lab fabric 172.30.0.0/24: pod addresses would collide with the nodes' network`,
    ]);
  });

  it("accepts a disabled pool covering a host's range (the docs' no-NAT trick)", () => {
    const text = lab(
      `${NODES}  hosts:\n    - {name: corp, address: 10.0.0.10/24}\n`,
      pool('default-ipv4-ippool', '{cidr: 192.168.0.0/16, natOutgoing: true}') +
        pool('no-nat', '{cidr: 10.0.0.0/8, disabled: true}'),
    );
    expect(load(text).ipPools.map((p) => p.name)).toEqual(['default-ipv4-ippool', 'no-nat']);
  });

  it("rejects an enabled pool covering a host's segment", () => {
    const text = lab(
      `${NODES}  hosts:\n    - {name: corp, address: 10.0.0.10/24}\n`,
      pool('p', '{cidr: 10.0.0.0/8}'),
    );
    expect(messages(text)[0]).toMatch(
      /^enabled IPPool\(p\) CIDR 10\.0\.0\.0\/8 overlaps host corp's segment 10\.0\.0\.0\/24/,
    );
  });

  it("blames calico-node's auto-created pool on the lab when the file has no pool", () => {
    const text = lab(NODES).replace(
      'fabric: {cidr: 172.30.0.0/24}',
      'fabric: {cidr: 192.168.10.0/24}',
    );
    const [p] = problemsOf(() => load(text));
    expect(p!.kind).toBe('Lab');
    expect(p!.message).toContain('default-ipv4-ippool');
    expect(p!.message).toContain('overlaps the lab fabric 192.168.10.0/24');
  });
});

describe('pods that no pool can serve (Calico IPAM rules)', () => {
  const two = pool('pool-a', "{cidr: 10.244.0.0/24, nodeSelector: zone == 'a'}");

  it('rejects a pod on a node no pool selects, saying why for each pool', () => {
    const text = lab(`${NODES}  pods:\n    - {name: web-2, node: node-2}\n`, two);
    const { line, col } = whereIs(text, '{name: web-2');
    expect(linesOf(() => load(text))).toEqual([
      `lab.yaml:${line}:${col}: Lab(t) spec.pods[0]: pod web-2: no IPPool can give it an address on node node-2 (pool-a: nodeSelector zone == 'a' does not select node node-2)`,
    ]);
  });

  it('uses the implicit kubernetes.io/hostname label', () => {
    const text = lab(
      `${NODES}  pods:\n    - {name: web-2, node: node-2}\n`,
      pool('p', "{cidr: 10.244.0.0/24, nodeSelector: kubernetes.io/hostname == 'node-2'}"),
    );
    expect(load(text).pods).toHaveLength(1);
  });

  it('skips disabled pools, pools without Workload and Manual pools', () => {
    const text = lab(
      `${NODES}  pods:\n    - {name: web-1, node: node-1}\n`,
      pool('a', '{cidr: 10.244.0.0/24, disabled: true}') +
        pool('b', '{cidr: 10.245.0.0/24, allowedUses: [Tunnel]}') +
        pool('c', '{cidr: 10.246.0.0/24, assignmentMode: Manual}'),
    );
    const [m] = messages(text);
    expect(m).toContain('a: disabled');
    expect(m).toContain('b: allowedUses ["Tunnel"] has no Workload');
    expect(m).toContain('c: assignmentMode Manual');
  });

  it('follows the ipv4pools annotation, bypassing nodeSelector', () => {
    const text = lab(
      `${NODES}  pods:\n    - {name: web-2, node: node-2, annotations: {cni.projectcalico.org/ipv4pools: '["pool-a"]'}}\n`,
      two,
    );
    expect(load(text).pods[0]!.annotations).toEqual({
      'cni.projectcalico.org/ipv4pools': '["pool-a"]',
    });
  });

  it('names a missing pool of the annotation as Calico does', () => {
    const text = lab(
      `${NODES}  pods:\n    - {name: db-1, node: node-1, annotations: {cni.projectcalico.org/ipv4pools: '["other-pool"]'}}\n`,
      two,
    );
    const { line, col } = whereIs(text, `'["other-pool"]'`);
    expect(linesOf(() => load(text))).toEqual([
      `lab.yaml:${line}:${col}: Lab(t) spec.pods[0].annotations["cni.projectcalico.org/ipv4pools"]: pod db-1: the given pool (other-pool) does not exist, or is not enabled`,
    ]);
  });

  it('gives the CIDR of a disabled pool named in the annotation', () => {
    const text = lab(
      `${NODES}  pods:\n    - {name: db-1, node: node-1, annotations: {cni.projectcalico.org/ipv4pools: '["off"]'}}\n`,
      two + pool('off', '{cidr: 10.9.0.0/24, disabled: true}'),
    );
    expect(messages(text)).toEqual([
      'pod db-1: the given pool (10.9.0.0/24) does not exist, or is not enabled',
    ]);
  });

  it('matches a CIDR in the annotation against the pools', () => {
    const ok = lab(
      `${NODES}  pods:\n    - {name: db-1, node: node-2, annotations: {cni.projectcalico.org/ipv4pools: '["10.244.0.0/24"]'}}\n`,
      two,
    );
    expect(load(ok).pods).toHaveLength(1);
    const bad = ok.replace('["10.244.0.0/24"]', '["10.250.0.0/24"]');
    expect(messages(bad)).toEqual([
      'pod db-1: the given pool (10.250.0.0/24) does not exist, or is not enabled',
    ]);
  });

  it('rejects an annotation that is not a JSON list', () => {
    const text = lab(
      `${NODES}  pods:\n    - {name: db-1, node: node-1, annotations: {cni.projectcalico.org/ipv4pools: other-pool}}\n`,
    );
    expect(messages(text)[0]).toContain('must be a JSON list of pool names or CIDRs');
  });
});

describe('names, references and addresses', () => {
  it('rejects a pod on an unknown node', () => {
    const text = lab(`${NODES}  pods:\n    - {name: web-1, node: node-9}\n`);
    const { line, col } = whereIs(text, 'node-9');
    expect(linesOf(() => load(text))).toEqual([
      `lab.yaml:${line}:${col}: Lab(t) spec.pods[0].node: pod web-1 is on node "node-9", which is not a node of this lab (nodes: node-1, node-2)`,
    ]);
  });

  it('keeps one namespace for router, nodes, pods and hosts', () => {
    const text = lab(
      `${NODES}  pods:\n    - {name: node-2, node: node-1}\n  hosts:\n    - {name: tor, address: 203.0.113.5/24}\n`,
    );
    expect(messages(text)).toEqual([
      'name "node-2" is already used by node node-2; the router, nodes, pods and hosts share one namespace (they become container names)',
      'name "tor" is already used by router tor; the router, nodes, pods and hosts share one namespace (they become container names)',
    ]);
  });

  for (const bad of ['node;reboot', '../etc', 'Node-1', 'a b', '$(id)', 'x'.repeat(64)]) {
    it(`rejects the name ${JSON.stringify(bad)} (names become container names)`, () => {
      const text = lab(NODES.replace('node-2', JSON.stringify(bad)));
      expect(messages(text)[0]).toMatch(
        /node name .* must (be a DNS-1123 label|be no more than 63 characters)/,
      );
    });
  }

  it('rejects expectations about unknown pods and hosts', () => {
    const text = lab(
      `${NODES}  pods:\n    - {name: web-1, node: node-1}\n  expect:\n    - {from: web-9, to: nowhere, seenAs: somebody, reply: true}\n`,
    );
    expect(messages(text)).toEqual([
      'from: "web-9" is not a pod of this lab (pods: web-1)',
      'to: "nowhere" is neither a pod, a host of this lab nor an IPv4 address',
      'seenAs must be "node", "pod" or an IPv4 address, got "somebody"',
    ]);
  });

  it('accepts an address as the destination and as seenAs', () => {
    const text = lab(
      `${NODES}  pods:\n    - {name: web-1, node: node-1}\n  expect:\n    - {from: web-1, to: 198.51.100.9, seenAs: 172.30.0.2, reply: false}\n`,
    );
    expect(load(text).expect).toEqual([
      {
        from: 'web-1',
        to: '198.51.100.9',
        protocol: 'icmp',
        seenAs: { address: '172.30.0.2' },
        reply: false,
      },
    ]);
  });

  it('checks ports against what the host listens on', () => {
    const text = lab(
      `${NODES}  pods:\n    - {name: web-1, node: node-1}\n  hosts:\n    - {name: h, address: 203.0.113.10/24, tcpPorts: [80]}\n  expect:\n    - {from: web-1, to: h, protocol: tcp, port: 443, seenAs: node, reply: true}\n    - {from: web-1, to: h, port: 80, seenAs: node, reply: true}\n`,
    );
    expect(messages(text)).toEqual([
      'host h does not listen on tcp/443 (tcpPorts: 80)',
      'port applies to tcp and udp only (protocol is icmp)',
    ]);
  });

  it('rejects addresses outside the fabric, reserved ones and collisions', () => {
    const text = lab(`  router: {address: 172.30.0.11}
  nodes:
    - {name: node-1, address: 172.30.1.5}
    - {name: node-2, address: 172.30.0.11}
    - {name: node-3, address: 172.30.0.255}
    - {name: node-4, address: 172.30.0.12/24}
    - {name: node-5, extraAddresses: [172.30.0.11]}
`);
    expect(messages(text)).toEqual([
      'address 172.30.1.5 is outside the fabric 172.30.0.0/24',
      'address 172.30.0.11 is already used by router tor',
      'address 172.30.0.255 is the broadcast address of the fabric 172.30.0.0/24',
      'expected an IPv4 address like "172.30.0.11", got "172.30.0.12/24" (write the address without a prefix length; the fabric prefix applies)',
      'address 172.30.0.11 is already used by router tor',
    ]);
  });

  it('rejects host segments that overlap the fabric or each other', () => {
    const text = lab(`${NODES}  hosts:
    - {name: a, address: 172.30.0.200/24}
    - {name: b, address: 10.0.0.10/16}
    - {name: c, address: 10.0.5.10/24}
    - {name: d, address: 203.0.113.10/32}
`);
    expect(messages(text)).toEqual([
      'host segment 172.30.0.0/24 overlaps the fabric 172.30.0.0/24',
      "host segment 10.0.5.0/24 overlaps host b's segment 10.0.0.0/16; each host has its own segment behind the router",
      "host d needs a segment of at least 2 addresses (/31 or shorter) for itself and the router's gateway address",
    ]);
  });

  it('runs out of fabric addresses with a clear message', () => {
    const text = lab(
      `  nodes:\n${Array.from({ length: 6 }, (_, i) => `    - {name: n${i}}\n`).join('')}`,
    ).replace('172.30.0.0/24', '172.30.0.0/29');
    expect(messages(text)).toEqual([
      'the fabric 172.30.0.0/29 has no free address left for node n5',
    ]);
  });
});

describe('BGP peers', () => {
  const peer = (spec: string) => `---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: peer}
spec: ${spec}
`;
  it('accepts a peer at the router with its AS', () => {
    expect(load(lab(NODES, peer('{peerIP: 172.30.0.1, asNumber: 64500}'))).bgpPeers).toHaveLength(
      1,
    );
  });
  it('accepts a peer with a port and a node-to-node peer', () => {
    const text = lab(
      NODES,
      peer("{peerIP: '172.30.0.1:179', asNumber: 64500, nodeSelector: zone == 'a'}"),
    );
    expect(load(text).bgpPeers[0]!.spec.nodeSelector).toBe("zone == 'a'");
    expect(
      load(lab(NODES, peer('{peerIP: 172.30.0.3, asNumber: 64512, node: node-1}'))).bgpPeers,
    ).toHaveLength(1);
  });
  it('rejects a peer nobody answers', () => {
    const text = lab(NODES, peer('{peerIP: 192.0.2.1, asNumber: 64500}'));
    const { line, col } = whereIs(text, '192.0.2.1');
    expect(linesOf(() => load(text))).toEqual([
      `lab.yaml:${line}:${col}: BGPPeer(peer) spec.peerIP: peerIP 192.0.2.1 is neither the router (tor, 172.30.0.1) nor a node of this lab: nobody would answer this peer`,
    ]);
  });
  it('rejects a peer at the router with another AS', () => {
    expect(messages(lab(NODES, peer('{peerIP: 172.30.0.1, asNumber: 64501}')))[0]).toContain(
      "asNumber 64501 does not match the router's AS 64500",
    );
  });
  it('rejects a peer for an unknown node', () => {
    expect(
      messages(lab(NODES, peer('{peerIP: 172.30.0.1, asNumber: 64500, node: node-7}')))[0],
    ).toContain('node "node-7" is not a node of this lab');
  });
});

describe('the ipv4pools annotation and allowed uses', () => {
  it('drops requested pools without Workload use and fails when none is left', () => {
    const base = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: t}
spec:
  nodes: [{name: node-1}]
  pods: [{name: web-1, node: node-1, annotations: {cni.projectcalico.org/ipv4pools: 'POOLS'}}]
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: tunnels}
spec: {cidr: 10.250.0.0/24, allowedUses: [Tunnel]}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: work}
spec: {cidr: 10.251.0.0/24}
`;
    const ok = base.replace('POOLS', '["tunnels", "work"]');
    expect(loadLab([{ file: 'lab.yaml', text: ok }]).pods).toHaveLength(1);
    const bad = base.replace('POOLS', '["tunnels"]');
    expect(
      problemsOf(() => loadLab([{ file: 'lab.yaml', text: bad }])).map((p) => p.message),
    ).toEqual([
      'pod web-1: no qualifying IP pools found, no pools match the required use (Workload): tunnels',
    ]);
  });
});

describe('lab size', () => {
  it('refuses a lab of more containers than a lab may run, saying how many and of what', () => {
    const pods = Array.from({ length: 1500 }, (_, i) => `    - {name: p${i}, node: node-1}`);
    const text = lab(`${NODES}  pods:\n${pods.join('\n')}\n`);
    const { line, col } = whereIs(text, '- {name: p0,');
    expect(linesOf(() => load(text))).toEqual([
      `lab.yaml:${line}:${col}: Lab(t) spec.pods: the lab would run 1503 containers (1 router, 2 nodes, 1500 pods, 0 hosts); a lab runs at most 1500`,
    ]);
    expect(() => load(lab(`${NODES}  pods:\n${pods.slice(3).join('\n')}\n`))).not.toThrow();
  });
});
