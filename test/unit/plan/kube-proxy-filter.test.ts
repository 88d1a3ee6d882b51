// kube-proxy's filter table (iptables mode) against kubernetes' own expectations: the filter
// rules of pkg/proxy/iptables/proxier_test.go TestOverallIPTablesRules (as its cleanup test
// restores them): ns2/svc2, a LoadBalancer with Local policy whose only endpoint is on another
// node, DROPs its external IP, LoadBalancer IP and node port ("has no local endpoints");
// ns6/svc6, without endpoints, REJECTs its cluster IP; KUBE-FORWARD and KUBE-FIREWALL as
// kube-proxy writes them. (kubernetes' fake proxier uses mark 0x4000; kube-proxy itself prints
// %#08x, 0x004000.) The jumps are in a real node's order (iptables-save on a kubeadm node).
import { describe, expect, test } from 'vitest';
import {
  kubeFilterSaveLines,
  renderKubeRestore,
} from '../../../src/core/dataplane/kube-proxy-text.js';
import type { LabNode } from '../../../src/core/model/lab.js';
import type { LabService } from '../../../src/core/model/service.js';
import { kubeProxyFilter } from '../../../src/core/plan/kube-proxy-filter.js';
import type { ServicePortEndpoints } from '../../../src/core/plan/kube-proxy.js';

const node = { name: 'test-node', address: '192.168.0.2' } as LabNode;
function port(over: Partial<LabService>, eps: string[], nodePort?: number): ServicePortEndpoints {
  const p = {
    name: 'p80',
    protocol: 'TCP' as const,
    port: 80,
    targetPort: 80,
    ...(nodePort ? { nodePort } : {}),
  };
  const s: LabService = {
    name: '',
    namespace: '',
    type: 'ClusterIP',
    clusterIP: '',
    selector: {},
    ports: [p],
    externalIPs: [],
    loadBalancerIPs: [],
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    sessionAffinity: 'None',
    sessionAffinityTimeout: 10800,
    ...over,
  };
  return {
    service: s,
    port: p,
    portName: `${s.namespace}/${s.name}:p80`,
    endpoints: eps.map((ip) => ({ pod: ip, node: 'other', ip, port: 80 })),
  };
}

const EXPECTED = `
-A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT
-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j DROP
-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j DROP
-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
`;

const services = [
  port(
    {
      namespace: 'ns2',
      name: 'svc2',
      type: 'LoadBalancer',
      clusterIP: '172.30.0.42',
      externalTrafficPolicy: 'Local',
      externalIPs: ['192.168.99.22'],
      loadBalancerIPs: ['1.2.3.4'],
    },
    ['10.180.0.2'],
    3001,
  ),
  port(
    { namespace: 'ns3', name: 'svc3', type: 'NodePort', clusterIP: '172.30.0.43' },
    ['10.180.0.3'],
    3003,
  ),
  port({ namespace: 'ns6', name: 'svc6', clusterIP: '172.30.0.46' }, []),
];

describe("kube-proxy's filter table", () => {
  test("TestOverallIPTablesRules' filter rules", () => {
    const f = kubeProxyFilter(node, services);
    const got = f.rules.map((r) => renderKubeRestore(r).replaceAll('0x004000', '0x4000'));
    // kube-proxy walks its Services in map order; the test compares the rules as a set.
    expect([...got].sort()).toEqual(EXPECTED.trim().split('\n').sort());
  });

  test("the jumps as iptables-save lists them on a node (kube-proxy's order)", () => {
    expect(kubeFilterSaveLines(kubeProxyFilter(node, [])).hooks).toEqual([
      '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
      '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
      '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
      '-A INPUT -j KUBE-FIREWALL',
      '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
      '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
      '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
      '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
      '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A OUTPUT -j KUBE-FIREWALL',
    ]);
  });
});
