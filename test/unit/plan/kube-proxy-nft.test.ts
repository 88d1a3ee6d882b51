// kube-proxy's nftables mode as the core renders it, against kubernetes' own test
// expectations: pkg/proxy/nftables/proxier_test.go TestOverallNFTablesRules builds six Services
// (ClusterIP; LoadBalancer with Local policy and its only endpoint elsewhere; NodePort;
// externalIP with two endpoints; LoadBalancer with ClientIP affinity; no endpoints) and lists
// every chain, rule and map element kube-proxy writes. The lines below are that test's, for the
// Service ports (same names, hashes, rules and elements); the service-chain masquerade rule
// carries `tcp dport 80` as proxier.go writes it at b0f823e6 (v1.31-v1.33: `ipX daddr
// ClusterIP protocol dport Port`; v1.34 dropped the port match). Not modelled, so left out of
// svc5: loadBalancerSourceRanges (its firewall- chain and firewall-ips element).
import { describe, expect, test } from 'vitest';
import type { KubeProxyNft } from '../../../src/core/dataplane/kube-proxy-nft-types.js';
import {
  renderKpRule,
  renderKubeProxyNftTable,
} from '../../../src/core/dataplane/render-kube-proxy-nft.js';
import type { LabNode } from '../../../src/core/model/lab.js';
import type { KubeProxyConfig, LabService } from '../../../src/core/model/service.js';
import { hashAndTruncate, kubeProxyNftTable } from '../../../src/core/plan/kube-proxy-nft.js';
import type { ServicePortEndpoints } from '../../../src/core/plan/kube-proxy.js';

/** kube-proxy's test conventions: pods 10.0.0.0/8, services 172.30.0.0/16, node 192.168.0.2. */
const cfg: KubeProxyConfig = {
  mode: 'nftables',
  masqueradeAll: false,
  clusterCIDR: '10.0.0.0/8',
  serviceClusterIPRange: '172.30.0.0/16',
};
const node = { name: 'test-node', address: '192.168.0.2' } as LabNode;

function svc(ns: string, name: string, over: Partial<LabService>): LabService {
  return {
    name,
    namespace: ns,
    type: 'ClusterIP',
    clusterIP: '',
    selector: {},
    ports: [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80 }],
    externalIPs: [],
    loadBalancerIPs: [],
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    sessionAffinity: 'None',
    sessionAffinityTimeout: 10800,
    ...over,
  };
}
function port(s: LabService, eps: [string, string][], nodePort?: number): ServicePortEndpoints {
  const p = { ...s.ports[0]!, ...(nodePort ? { nodePort } : {}) };
  return {
    service: { ...s, ports: [p] },
    port: p,
    portName: `${s.namespace}/${s.name}:p80`,
    endpoints: eps.map(([ip, n]) => ({ pod: ip, node: n, ip, port: 80 })),
  };
}

const overall = (): ServicePortEndpoints[] => [
  port(svc('ns1', 'svc1', { clusterIP: '172.30.0.41' }), [['10.180.0.1', 'other']]),
  port(
    svc('ns2', 'svc2', {
      type: 'LoadBalancer',
      clusterIP: '172.30.0.42',
      externalTrafficPolicy: 'Local',
      loadBalancerIPs: ['1.2.3.4'],
      externalIPs: ['192.168.99.22'],
    }),
    [['10.180.0.2', 'other']],
    3001,
  ),
  port(
    svc('ns3', 'svc3', { type: 'NodePort', clusterIP: '172.30.0.43' }),
    [['10.180.0.3', 'other']],
    3003,
  ),
  port(
    svc('ns4', 'svc4', {
      type: 'NodePort',
      clusterIP: '172.30.0.44',
      externalIPs: ['192.168.99.33'],
    }),
    [
      ['10.180.0.4', 'other'],
      ['10.180.0.5', 'test-node'],
    ],
  ),
  port(
    svc('ns5', 'svc5', {
      type: 'LoadBalancer',
      clusterIP: '172.30.0.45',
      loadBalancerIPs: ['5.6.7.8'],
      sessionAffinity: 'ClientIP',
    }),
    [['10.180.0.3', 'other']],
    3002,
  ),
  port(svc('ns6', 'svc6', { clusterIP: '172.30.0.46' }), []),
];

/** The table as knftables' Fake.Dump() lines ("add rule ip kube-proxy CHAIN RULE", …). */
function dump(t: KubeProxyNft): string[] {
  const out: string[] = [];
  for (const c of t.chains)
    for (const r of c.rules) out.push(`add rule ip kube-proxy ${c.name} ${renderKpRule(r)}`);
  for (const m of t.maps)
    for (const e of m.elements) {
      const v = e.verdict.kind === 'drop' ? 'drop' : `goto ${e.verdict.target}`;
      const comment = e.comment ? ` comment "${e.comment}"` : '';
      out.push(`add element ip kube-proxy ${m.name} { ${e.key.join(' . ')}${comment} : ${v} }`);
    }
  for (const s of t.sets) {
    for (const e of s.elements) out.push(`add element ip kube-proxy ${s.name} { ${e} }`);
    if (s.timeoutSeconds !== undefined)
      out.push(
        `add set ip kube-proxy ${s.name} { type ipv4_addr ; flags dynamic,timeout ; timeout ${s.timeoutSeconds}s ; }`,
      );
  }
  for (const c of t.chains) if (!c.base) out.push(`add chain ip kube-proxy ${c.name}`);
  return out;
}

// TestOverallNFTablesRules' per-Service expectations (see the file's comment).
const EXPECTED_SERVICES = `
add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }
add chain ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80
add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 ip saddr 10.180.0.1 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 meta l4proto tcp dnat to 10.180.0.1:80
add element ip kube-proxy cluster-ips { 172.30.0.41 }
add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }
add chain ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80
add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 ip daddr 172.30.0.42 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 }
add chain ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 ip saddr 10.0.0.0/8 goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit pod traffic"
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit local traffic"
add chain ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80
add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 ip saddr 10.180.0.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 meta l4proto tcp dnat to 10.180.0.2:80
add element ip kube-proxy cluster-ips { 172.30.0.42 }
add element ip kube-proxy service-ips { 172.30.0.42 . tcp . 80 : goto service-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-ips { 192.168.99.22 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-ips { 1.2.3.4 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3001 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy no-endpoint-nodeports { tcp . 3001 comment "ns2/svc2:p80" : drop }
add element ip kube-proxy no-endpoint-services { 1.2.3.4 . tcp . 80 comment "ns2/svc2:p80" : drop }
add element ip kube-proxy no-endpoint-services { 192.168.99.22 . tcp . 80 comment "ns2/svc2:p80" : drop }
add chain ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80
add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 ip daddr 172.30.0.43 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 }
add chain ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80
add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 goto service-4AT6LBPK-ns3/svc3/tcp/p80
add chain ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80
add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80
add element ip kube-proxy cluster-ips { 172.30.0.43 }
add element ip kube-proxy service-ips { 172.30.0.43 . tcp . 80 : goto service-4AT6LBPK-ns3/svc3/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3003 : goto external-4AT6LBPK-ns3/svc3/tcp/p80 }
add chain ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80
add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 ip daddr 172.30.0.44 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 numgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 , 1 : goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 }
add chain ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80
add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 goto service-LAUZTJTB-ns4/svc4/tcp/p80
add chain ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80
add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 ip saddr 10.180.0.5 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 meta l4proto tcp dnat to 10.180.0.5:80
add chain ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80
add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 ip saddr 10.180.0.4 jump mark-for-masquerade
add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 meta l4proto tcp dnat to 10.180.0.4:80
add element ip kube-proxy cluster-ips { 172.30.0.44 }
add element ip kube-proxy service-ips { 172.30.0.44 . tcp . 80 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 }
add element ip kube-proxy service-ips { 192.168.99.33 . tcp . 80 : goto external-LAUZTJTB-ns4/svc4/tcp/p80 }
add set ip kube-proxy affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add chain ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip daddr 172.30.0.45 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 }
add chain ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 goto service-HVFWP5L3-ns5/svc5/tcp/p80
add chain ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 update @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { ip saddr }
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80
add element ip kube-proxy cluster-ips { 172.30.0.45 }
add element ip kube-proxy service-ips { 172.30.0.45 . tcp . 80 : goto service-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy service-ips { 5.6.7.8 . tcp . 80 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3002 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy cluster-ips { 172.30.0.46 }
add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }
`;

// TestOverallNFTablesRules' baseRules (setupNFTables), the v1.31-v1.33 layout.
const EXPECTED_BASE = `
add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
add rule ip kube-proxy cluster-ips-check ip daddr { 172.30.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"
add rule ip kube-proxy filter-prerouting ct state new jump firewall-check
add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check
add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check
add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check
add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output ct state new jump firewall-check
add rule ip kube-proxy filter-output-post-dnat ct state new jump cluster-ips-check
add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips
add rule ip kube-proxy mark-for-masquerade mark set mark or 0x004000
add rule ip kube-proxy masquerading mark and 0x004000 == 0 return
add rule ip kube-proxy masquerading mark set mark xor 0x004000
add rule ip kube-proxy masquerading masquerade fully-random
add rule ip kube-proxy nat-output jump services
add rule ip kube-proxy nat-postrouting jump masquerading
add rule ip kube-proxy nat-prerouting jump services
add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports
add rule ip kube-proxy reject-chain reject
add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports
add element ip kube-proxy nodeport-ips { 192.168.0.2 }
add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services
add chain ip kube-proxy cluster-ips-check
add chain ip kube-proxy firewall-check
add chain ip kube-proxy mark-for-masquerade
add chain ip kube-proxy masquerading
add chain ip kube-proxy nodeport-endpoints-check
add chain ip kube-proxy reject-chain
add chain ip kube-proxy services
add chain ip kube-proxy service-endpoints-check
`;

const lines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim())
    .sort();

describe("kube-proxy nftables mode: kubernetes' own expectations", () => {
  test('hashAndTruncate gives the chain names of proxier_test.go', () => {
    expect(hashAndTruncate('ns1/svc1/tcp/p80')).toBe('ULMVA6XW-ns1/svc1/tcp/p80');
    expect(hashAndTruncate('ns1/svc1/tcp/p80__10.180.0.1/80')).toBe(
      '5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80',
    );
    expect(hashAndTruncate('ns5/svc5/tcp/p80__10.180.0.3/80')).toBe(
      'GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80',
    );
    expect(hashAndTruncate(`${'x'.repeat(300)}`)).toHaveLength(240);
  });

  test('TestOverallNFTablesRules: the same chains, rules, sets and map elements', () => {
    const t = kubeProxyNftTable(cfg, node, overall());
    expect(lines(dump(t).join('\n'))).toEqual(lines(EXPECTED_BASE + EXPECTED_SERVICES));
  });

  test('base chains: hooks and priorities as proxier.go declares them', () => {
    const t = kubeProxyNftTable(cfg, node, []);
    const text = renderKubeProxyNftTable(t);
    expect(text).toContain(
      'chain filter-prerouting {\n\t\ttype filter hook prerouting priority -110; policy accept;',
    );
    expect(text).toContain(
      'chain filter-output-post-dnat {\n\t\ttype filter hook output priority -90; policy accept;',
    );
    expect(text).toContain('chain nat-prerouting {\n\t\ttype nat hook prerouting priority -100;');
    expect(text).toContain('chain nat-postrouting {\n\t\ttype nat hook postrouting priority 100;');
  });

  test('masqueradeAll: every packet to a cluster IP is marked, without the clusterCIDR test', () => {
    const t = kubeProxyNftTable({ ...cfg, masqueradeAll: true }, node, overall().slice(0, 1));
    expect(dump(t)).toContain(
      'add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 tcp dport 80 jump mark-for-masquerade',
    );
  });

  test('no clusterCIDR: no off-cluster masquerade and no pod short-circuit', () => {
    const { clusterCIDR: _c, ...noCidr } = cfg;
    const d = dump(kubeProxyNftTable(noCidr, node, overall().slice(1, 2)));
    expect(d.filter((l) => l.includes('10.0.0.0/8'))).toEqual([]);
    expect(
      d.filter((l) => l.includes('external-42NFTM6N') && l.startsWith('add rule')),
    ).toHaveLength(2);
  });

  test('internalTrafficPolicy Local without a local endpoint: the cluster IP drops', () => {
    const sp = port(
      svc('ns1', 'svc1', { clusterIP: '172.30.0.41', internalTrafficPolicy: 'Local' }),
      [['10.180.0.1', 'other']],
    );
    const d = dump(kubeProxyNftTable(cfg, node, [sp]));
    expect(d).toContain(
      'add element ip kube-proxy no-endpoint-services { 172.30.0.41 . tcp . 80 comment "ns1/svc1:p80" : drop }',
    );
    expect(d.filter((l) => l.startsWith('add element ip kube-proxy service-ips'))).toEqual([]);
  });
});
