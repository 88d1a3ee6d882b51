// The lab file's `firewall` and `enterprise` sections: what they become, and bad input refused
// with positioned problems (nothing is applied when loading fails).
import { describe, expect, it } from 'vitest';
import { loadLab, loadSources } from '../../../src/core/lab-file/index.js';
import { linesOf, whereIs } from '../lab-file/helpers.js';

const lab = (spec: string) => `apiVersion: egress-lab/v1
kind: Lab
metadata:
  name: t
spec:
  nodes:
    - {name: node-1}
    - {name: node-2, labels: {egw: 'yes'}}
  pods:
    - {name: web-1, node: node-1, namespace: team-a}
  hosts:
    - {name: db, address: 198.51.100.10/24, tcpPorts: [5432]}
${spec}---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: default-ipv4-ippool}
spec: {cidr: 192.168.0.0/16, natOutgoing: true}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: gw-pool}
spec: {cidr: 10.10.10.0/30, blockSize: 30, nodeSelector: "egw == 'yes'"}
`;
const load = (text: string) => loadLab([{ file: 'lab.yaml', text }]);

describe('spec.firewall', () => {
  it('becomes the router firewall: host names resolved, CIDRs normalized, Allow by default', () => {
    const l = load(
      lab(`  firewall:
    rules:
      - {action: Allow, source: 10.50.0.7/24, destination: db, protocol: tcp, ports: [5432]}
      - {action: Deny, destination: 198.51.100.0/24}
`),
    );
    expect(l.firewall).toEqual({
      on: 'tor',
      defaultAction: 'Allow',
      inboundDefaultAction: 'Allow',
      rules: [
        {
          action: 'Allow',
          direction: 'Outbound',
          source: '10.50.0.0/24',
          destination: '198.51.100.10/32',
          protocol: 'tcp',
          ports: [5432],
        },
        { action: 'Deny', direction: 'Outbound', destination: '198.51.100.0/24' },
      ],
    });
  });

  it('refuses bad rules at their field', () => {
    const text = lab(`  firewall:
    defaultAction: Deny
    rules:
      - {action: Allow, source: 10.50.0/24}
      - {action: Allow, destination: nowhere}
      - {action: Deny, protocol: icmp, ports: [80]}
`);
    const src = whereIs(text, '10.50.0/24');
    const dst = whereIs(text, 'nowhere');
    const ports = whereIs(text, '[80]');
    expect(linesOf(() => load(text))).toEqual([
      `lab.yaml:${src.line}:${src.col}: Lab(t) spec.firewall.rules[0].source: source "10.50.0/24" is not an IPv4 CIDR`,
      `lab.yaml:${dst.line}:${dst.col}: Lab(t) spec.firewall.rules[1].destination: destination "nowhere" is neither a host of this lab (db) nor an IPv4 CIDR`,
      `lab.yaml:${ports.line}:${ports.col}: Lab(t) spec.firewall.rules[2].ports: ports apply to protocol tcp or udp only`,
    ]);
  });

  it('refuses an unknown action with the schema message at the field', () => {
    const text = lab(`  firewall:
    rules:
      - {action: Reject}
`);
    const lines = linesOf(() => load(text));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^lab\.yaml:\d+:\d+: Lab\(t\) spec\.firewall\.rules\[0\]\.action: /);
  });
});

describe('spec.enterprise (Calico Enterprise egress gateways)', () => {
  const ENT = `  enterprise:
    egressGateways:
      - {name: egw-red, namespace: team-a, node: node-2, ipPool: gw-pool, labels: {egress-code: red}}
    namespaces:
      - {name: team-a, annotations: {egress.projectcalico.org/selector: "egress-code == 'red'"}}
`;

  it('adds the gateway as a pod from its pool and warns that this is Enterprise behaviour', () => {
    const text = lab(ENT);
    const l = load(text);
    expect(l.egressGateways).toEqual([
      {
        name: 'egw-red',
        namespace: 'team-a',
        node: 'node-2',
        ipPool: 'gw-pool',
        labels: { 'egress-code': 'red' },
      },
    ]);
    expect(l.pods.find((p) => p.name === 'egw-red')).toEqual({
      name: 'egw-red',
      node: 'node-2',
      namespace: 'team-a',
      labels: { 'egress-code': 'red' },
      annotations: { 'cni.projectcalico.org/ipv4pools': '["gw-pool"]' },
    });
    const r = loadSources([{ file: 'lab.yaml', text }]);
    const w = (r.warnings ?? []).find((p) => p.field === 'spec.enterprise');
    expect(w?.message).toMatch(/^Calico Enterprise behaviour \(not in Calico Open Source\)/);
    expect(w?.severity).toBe('warning');
  });

  it('refuses an unknown node or pool, a bad selector, and a gateway name already used', () => {
    const text = lab(`  enterprise:
    egressGateways:
      - {name: web-1, node: node-9, ipPool: nope}
    namespaces:
      - {name: team-a, annotations: {egress.projectcalico.org/selector: "egress-code == "}}
`);
    const lines = linesOf(() => load(text));
    const at = (needle: string, nth = 0) => {
      const p = whereIs(text, needle, nth);
      return `lab.yaml:${p.line}:${p.col}`;
    };
    expect(lines.slice(0, 3)).toEqual([
      `${at('web-1, node', 1)}: Lab(t) spec.enterprise.egressGateways[0].name: name "web-1" is already used by pod web-1; the router, nodes, pods and hosts share one namespace (they become container names)`,
      `${at('node-9')}: Lab(t) spec.enterprise.egressGateways[0].node: egress gateway web-1 is on node "node-9", which is not a node of this lab (nodes: node-1, node-2)`,
      `${at('nope')}: Lab(t) spec.enterprise.egressGateways[0].ipPool: IPPool "nope" is not in this lab (pools: default-ipv4-ippool, gw-pool)`,
    ]);
    expect(lines[3]).toBe(
      `${at('"egress-code == "')}: Lab(t) spec.enterprise.namespaces[0].annotations["egress.projectcalico.org/selector"]: egress.projectcalico.org/selector: invalid selector "egress-code == " at column 16: expected a quoted string after '=='`,
    );
  });

  it('refuses egress gateways with the nftables dataplane', () => {
    const text = `${lab(ENT)}---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {nftablesMode: Enabled}
`;
    expect(linesOf(() => load(text)).join('\n')).toContain(
      'egress gateways are modelled with the iptables dataplane only',
    );
  });
});

describe('egress annotations that select nothing', () => {
  const warningsOf = (text: string) =>
    (loadSources([{ file: 'lab.yaml', text }]).warnings ?? []).filter(
      (w) => w.field !== 'spec.enterprise',
    );

  it('warns at the annotation when no gateway matches', () => {
    const text = lab(`  enterprise:
    egressGateways:
      - {name: egw-red, namespace: team-a, node: node-2, ipPool: gw-pool, labels: {egress-code: red}}
    namespaces:
      - {name: team-a, annotations: {egress.projectcalico.org/selector: "egress-code == 'blue'"}}
`);
    const [w] = warningsOf(text);
    expect(w?.field).toBe(
      'spec.enterprise.namespaces[0].annotations["egress.projectcalico.org/selector"]',
    );
    expect(w?.message).toMatch(
      /^pod web-1 selects no egress gateway of this lab \(egress-code == 'blue', in namespace team-a\)/,
    );
  });

  it('warns that the annotation does nothing without spec.enterprise', () => {
    const text = lab('').replace(
      '{name: web-1, node: node-1, namespace: team-a}',
      `{name: web-1, node: node-1, namespace: team-a, annotations: {egress.projectcalico.org/selector: "a == 'b'"}}`,
    );
    const [w] = warningsOf(text);
    expect(w?.message).toContain('Calico Open Source ignores it');
  });
});

describe('with fabric.racks', () => {
  it('refuses a firewall: it hooks one fabric bridge', () => {
    const text = lab(`  firewall: {defaultAction: Deny}
`).replace(
      'spec:\n  nodes:',
      'spec:\n  fabric: {racks: [{name: rack-a, cidr: 172.30.1.0/24}]}\n  nodes:',
    );
    const p = whereIs(text, 'firewall:');
    expect(linesOf(() => load(text))).toContain(
      `lab.yaml:${p.line}:${p.col}: Lab(t) spec.firewall: firewall not modelled with fabric.racks: the firewall hooks one fabric bridge and the egress tables throw one fabric CIDR back; use fabric.cidr`,
    );
  });
});
