// Features the lab models one at a time but not together are refused or warned about, at the
// field that turns the second one on, and nothing loads on an error.
import { describe, expect, test } from 'vitest';
import { formatProblem } from '../../../src/core/errors.js';
import { loadLab, loadSources } from '../../../src/core/lab-file/load.js';
import { linesOf, whereIs } from './helpers.js';

const FILE = 'combo.yaml';
const lab = (fabric: string, extraSpec = '', docs = '') => `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: combo}
spec:
  fabric: ${fabric}
  nodes:
    - {name: node-1}
  pods:
    - {name: p1, node: node-1}
  hosts:
    - {name: internet, address: 203.0.113.10/24}
${extraSpec}---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: v4}
spec: {cidr: 10.244.0.0/16, natOutgoing: true}
${docs}`;
const V6_POOL = (mode: string) => `---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: v6}
spec: {cidr: 'fd00:10::/48', natOutgoing: true, vxlanMode: ${mode}}
`;
const POLICY = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-all}
spec: {selector: all(), types: [Egress]}
`;
const warnings = (text: string) =>
  (loadSources([{ file: FILE, text }], { requireLab: true }).warnings ?? []).map(formatProblem);

describe('feature combinations the lab does not model', () => {
  test('IPv6 with racks is refused at ipv6Cidr', () => {
    const text = lab(
      "{ipv6Cidr: '2001:db8:30::/64', racks: [{name: a, cidr: 172.30.1.0/24}, {name: b, cidr: 172.30.2.0/24}]}",
    );
    const out = linesOf(() => loadLab([{ file: FILE, text }]));
    const at = whereIs(text, 'ipv6Cidr');
    expect(out).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${FILE}:${at.line}:${at.col}: .*IPv6 with fabric\\.racks is not modelled`),
      ),
    );
  });

  test('VXLAN on an IPv6 pool is refused at its vxlanMode; Never loads', () => {
    const fabric = "{cidr: 172.30.0.0/24, ipv6Cidr: '2001:db8:30::/64'}";
    const bad = lab(fabric, '', V6_POOL('CrossSubnet'));
    const out = linesOf(() => loadLab([{ file: FILE, text: bad }]));
    const at = whereIs(bad, 'CrossSubnet');
    expect(out).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${FILE}:${at.line}:${at.col}: IPPool\\(v6\\).*vxlanMode CrossSubnet on an IPv6 pool is not modelled`,
        ),
      ),
    );
    expect(() => loadLab([{ file: FILE, text: lab(fabric, '', V6_POOL('Never')) }])).not.toThrow();
  });

  test('policies in a dual-stack lab are policed over IPv6 too: no warning either way', () => {
    const fabric = "{cidr: 172.30.0.0/24, ipv6Cidr: '2001:db8:30::/64'}";
    expect(warnings(lab(fabric, '', POLICY)).join('\n')).not.toMatch(/IPv4 only|not policed/);
    expect(warnings(lab('{cidr: 172.30.0.0/24}', '', POLICY)).join('\n')).not.toMatch(
      /IPv4 only|not policed/,
    );
  });

  test("an IPv6 address in a pod's ipAddrs annotation is refused at the annotation", () => {
    const text = lab('{cidr: 172.30.0.0/24}').replace(
      '- {name: p1, node: node-1}',
      `- {name: p1, node: node-1, annotations: {cni.projectcalico.org/ipAddrs: '["10.244.0.7", "fd00:10::7"]'}}`,
    );
    const out = linesOf(() => loadLab([{ file: FILE, text }]));
    const at = whereIs(text, `'["10.244.0.7"`);
    expect(out).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${FILE}:${at.line}:${at.col}: .*IPv6 address fd00:10::7 is not modelled`),
      ),
    );
  });
});
