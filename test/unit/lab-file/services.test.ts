// Services in the lab file: the API server's checks in its words, at the field's position;
// allocations (cluster IPs, node ports, LoadBalancer addresses from a LoadBalancer pool); warnings
// for Services without endpoints; service IP ranges in BGPConfiguration.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { formatProblem } from '../../../src/core/errors.js';
import { loadLab, loadSources } from '../../../src/core/lab-file/load.js';
import { linesOf, whereIs } from './helpers.js';

const BASE = readFileSync('test/fixtures/services-lab.yaml', 'utf8');
const FILE = 'services.yaml';

function withService(spec: string, extra = ''): string {
  return (
    BASE.replace(
      '  services:\n',
      `  services:\n    - apiVersion: v1\n      kind: Service\n      metadata: { name: extra }\n      spec: ${spec}\n`,
    ) + extra
  );
}
const load = (text: string) => loadLab([{ file: FILE, text }]);
const lines = (text: string) => linesOf(() => load(text));
const warnings = (text: string) =>
  (loadSources([{ file: FILE, text }], { requireLab: true }).warnings ?? []).map(formatProblem);

describe('Services: values', () => {
  test('defaults and allocations: cluster IPs in order from 10.96.0.0/12, node ports from 30000', () => {
    const lab = load(
      withService(
        '{ type: NodePort, selector: { app: web }, ports: [{ port: 81, targetPort: 8080 }] }',
      ),
    );
    const extra = lab.services!.find((s) => s.name === 'extra')!;
    expect(extra).toMatchObject({
      namespace: 'default',
      type: 'NodePort',
      clusterIP: '10.96.0.1',
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      sessionAffinityTimeout: 10800,
    });
    expect(extra.ports).toEqual([
      { name: '', protocol: 'TCP', port: 81, targetPort: 8080, nodePort: 30000 },
    ]);
    expect(lab.services!.map((s) => s.clusterIP)).toEqual(['10.96.0.1', '10.96.0.2', '10.96.0.3']);
    expect(lab.kubeProxy).toEqual({
      mode: 'iptables',
      clusterCIDR: '192.168.0.0/16',
      masqueradeAll: false,
      serviceClusterIPRange: '10.96.0.0/12',
    });
  });

  test('LoadBalancer: the lowest free address of a LoadBalancer pool, or the one asked for', () => {
    const pools = `---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: { name: default-ipv4-ippool }
spec: { cidr: 192.168.0.0/16, natOutgoing: true }
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: { name: lb }
spec: { cidr: 198.51.100.0/28, blockSize: 28, allowedUses: [LoadBalancer] }
`;
    const lab = load(
      withService('{ type: LoadBalancer, selector: { app: web }, ports: [{ port: 80 }] }', pools),
    );
    expect(lab.services!.find((s) => s.name === 'extra')!.loadBalancerIPs).toEqual([
      '198.51.100.0',
    ]);
    const asked = load(
      withService(
        '{ type: LoadBalancer, loadBalancerIP: 198.51.100.7, selector: { app: web }, ports: [{ port: 80 }] }',
        pools,
      ),
    );
    expect(asked.services!.find((s) => s.name === 'extra')!.loadBalancerIPs).toEqual([
      '198.51.100.7',
    ]);
    const outside = withService(
      '{ type: LoadBalancer, loadBalancerIP: 203.0.113.99, selector: { app: web }, ports: [{ port: 80 }] }',
      pools,
    );
    const at = whereIs(outside, '203.0.113.99');
    expect(lines(outside)).toEqual([
      `${FILE}:${at.line}:${at.col}: Lab(services-lab) spec.services[0].spec.loadBalancerIP: LoadBalancer address 203.0.113.99 is in no IPPool with allowedUses [LoadBalancer] (lb 198.51.100.0/28): Calico's kube-controllers would not assign it`,
    ]);
  });

  test.each([
    [
      '{ type: Foo, selector: { app: web }, ports: [{ port: 80 }] }',
      'Foo',
      'spec.services[0].spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ],
    [
      '{ type: NodePort, selector: { app: web }, ports: [{ port: 80, nodePort: 80 }] }',
      '80 }] }',
      'spec.services[0].spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
    ],
    [
      '{ selector: { app: web }, ports: [{ port: 80, nodePort: 30500 }] }',
      '30500',
      "spec.services[0].spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    ],
    [
      '{ clusterIP: 10.0.0.1, selector: { app: web }, ports: [{ port: 80 }] }',
      '10.0.0.1',
      'spec.services[0].spec.clusterIP: Invalid value: "10.0.0.1": failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    ],
    [
      '{ externalTrafficPolicy: Local, selector: { app: web }, ports: [{ port: 80 }] }',
      'Local',
      'spec.services[0].spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
    ],
    [
      '{ selector: { app: web }, ports: [{ name: a, port: 80 }, { port: 81 }] }',
      '{ port: 81 }',
      'spec.services[0].spec.ports[1].name: Required value',
    ],
    [
      '{ type: NodePort, selector: { app: web }, ports: [{ port: 80, nodePort: 30080 }] }',
      '30080',
      'spec.services[1].spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    ],
  ])('%s', (spec, needle, message) => {
    const text = withService(spec);
    const problems = lines(text);
    expect(problems).toHaveLength(1);
    const at = whereIs(text, needle, needle === '30080' ? 1 : 0);
    expect(problems[0]).toBe(`${FILE}:${at.line}:${at.col}: Lab(services-lab) ${message}`);
  });

  test('kube-proxy ipvs mode is refused in clear words; nftables mode is taken', () => {
    const ipvs = BASE.replace('kubeProxy: { clusterCIDR', 'kubeProxy: { mode: ipvs, clusterCIDR');
    expect(lines(ipvs)).toEqual([
      expect.stringContaining(
        "spec.kubeProxy.mode: kube-proxy mode ipvs is not modelled: the lab renders kube-proxy's iptables and nftables modes",
      ),
    ]);
    const nft = BASE.replace(
      'kubeProxy: { clusterCIDR',
      'kubeProxy: { mode: nftables, clusterCIDR',
    );
    // Felix stays in iptables mode (v3.30's default, Disabled): both applied, with a warning.
    expect(warnings(nft).join('\n')).toContain(
      "spec.kubeProxy.mode: kube-proxy's nftables mode beside Felix's iptables dataplane",
    );
    const bad = BASE.replace(
      'kubeProxy: { clusterCIDR',
      'kubeProxy: { mode: userspace, clusterCIDR',
    );
    expect(lines(bad)).toEqual([
      expect.stringContaining(
        'spec.kubeProxy.mode: Unsupported value: "userspace": supported values: "iptables", "ipvs", "nftables"',
      ),
    ]);
  });

  test('a selector matching no pod, and ports no pod serves, warn (the Service has no endpoints)', () => {
    const w = warnings(withService('{ selector: { app: nobody }, ports: [{ port: 80 }] }') + '');
    expect(w.join('\n')).toContain('selector app=nobody matches no pod in namespace default');
    const w2 = warnings(
      withService('{ selector: { app: web }, ports: [{ port: 80, targetPort: 9999 }] }'),
    );
    expect(w2.join('\n')).toContain('no pod selected by app=web serves tcp/9999');
  });

  test('BGPConfiguration service ranges: a bad CIDR is calicoctl’s error at the field', () => {
    const text = `${BASE}---
apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: { name: default }
spec:
  serviceLoadBalancerIPs: [{ cidr: 198.51.100.0/33 }]
`;
    const at = whereIs(text, '198.51.100.0/33');
    expect(lines(text)).toEqual([
      `${FILE}:${at.line}:${at.col}: BGPConfiguration(default) spec.serviceLoadBalancerIPs[0].cidr: error with field ServiceLoadBalancerIPs[0].CIDR = '198.51.100.0/33' (Reason: failed to validate Field: CIDR because of Tag: net )`,
    ]);
  });
});
