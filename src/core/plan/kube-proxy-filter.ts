// kube-proxy's filter table in iptables mode (kubernetes pkg/proxy/iptables/proxier.go, v1.31:
// iptablesJumpChains and syncProxyRules' filterRules; the expected table of proxier_test.go
// TestOverallIPTablesRules): KUBE-SERVICES REJECTs a cluster IP without endpoints ("has no
// endpoints"), KUBE-EXTERNAL-SERVICES REJECTs external IPs, LoadBalancer IPs and node ports of a
// Service without endpoints, or DROPs them when only local endpoints count and this node has
// none ("has no local endpoints"); KUBE-FORWARD drops INVALID and accepts marked and established
// forwarded traffic; KUBE-FIREWALL blocks localnet connections from outside (kubelet writes the
// same chain). KUBE-PROXY-FIREWALL (loadBalancerSourceRanges) and the filter KUBE-NODEPORTS
// (healthCheckNodePort) stay empty: the lab warns those fields are not modelled.
// Hooks: kube-proxy prepends its jumps to INPUT, FORWARD and OUTPUT; Felix inserts its own
// (cali-INPUT/-FORWARD/-OUTPUT) above them and appends its accept rules below, so on a node
// Calico's hook comes first, then kube-proxy's, then Calico's appended rules (apply.sh orders
// them so).
import type { KubeMatch, KubeRule } from '../dataplane/kube-proxy-types.js';
import type { LabNode } from '../model/lab.js';
import { MASQUERADE_MARK, type ServicePortEndpoints } from './kube-proxy.js';

const MARK = `${MASQUERADE_MARK}/${MASQUERADE_MARK}`;
const comment = (text: string): KubeMatch => ({ kind: 'comment', text });
const ctNew: KubeMatch = { kind: 'ctstate', states: ['NEW'] };

export const KUBE_FILTER_CHAINS = [
  'KUBE-NODEPORTS',
  'KUBE-SERVICES',
  'KUBE-EXTERNAL-SERVICES',
  'KUBE-FIREWALL',
  'KUBE-FORWARD',
  'KUBE-PROXY-FIREWALL',
];

/** The jumps in kernel order (kube-proxy prepends them, so the last of iptablesJumpChains is first). */
function hooks(): KubeRule[] {
  const j = (chain: string, match: KubeMatch[], target: string): KubeRule => ({
    chain,
    match,
    action: { kind: 'jump', target },
  });
  const lbFw = [ctNew, comment('kubernetes load balancer firewall')];
  const portals = [ctNew, comment('kubernetes service portals')];
  const external = [ctNew, comment('kubernetes externally-visible service portals')];
  return [
    j('INPUT', lbFw, 'KUBE-PROXY-FIREWALL'),
    j('INPUT', [comment('kubernetes health check service ports')], 'KUBE-NODEPORTS'),
    j('INPUT', external, 'KUBE-EXTERNAL-SERVICES'),
    j('INPUT', [], 'KUBE-FIREWALL'),
    j('FORWARD', lbFw, 'KUBE-PROXY-FIREWALL'),
    j('FORWARD', [comment('kubernetes forwarding rules')], 'KUBE-FORWARD'),
    j('FORWARD', portals, 'KUBE-SERVICES'),
    j('FORWARD', external, 'KUBE-EXTERNAL-SERVICES'),
    j('OUTPUT', lbFw, 'KUBE-PROXY-FIREWALL'),
    j('OUTPUT', portals, 'KUBE-SERVICES'),
    j('OUTPUT', [], 'KUBE-FIREWALL'),
  ];
}

/** kube-proxy's filter table on `node` for the Services' ports. */
export function kubeProxyFilter(
  node: LabNode,
  ports: readonly ServicePortEndpoints[],
): { chains: string[]; rules: KubeRule[]; hooks: KubeRule[] } {
  const rules: KubeRule[] = [];
  for (const sp of ports) {
    const s = sp.service;
    const p = sp.port;
    const proto = p.protocol === 'UDP' ? 'udp' : 'tcp';
    const l4 = { kind: 'l4', proto } as const;
    const local = sp.endpoints.filter((e) => e.node === node.name);
    const hasEndpoints = sp.endpoints.length > 0;
    const externallyAccessible =
      p.nodePort !== undefined || s.externalIPs.length > 0 || s.loadBalancerIPs.length > 0;
    const hasInternal = hasEndpoints && (s.internalTrafficPolicy !== 'Local' || local.length > 0);
    const externalLocal = s.externalTrafficPolicy === 'Local' && externallyAccessible;
    const hasExternal = hasEndpoints && (!externalLocal || local.length > 0);
    const target = hasEndpoints ? ({ kind: 'drop' } as const) : ({ kind: 'reject' } as const);
    const text = `${sp.portName} ${hasEndpoints ? 'has no local endpoints' : 'has no endpoints'}`;
    const to = (ip: string): KubeMatch[] => [
      comment(text),
      l4,
      { kind: 'dst', cidr: ip },
      { kind: 'dport', port: p.port },
    ];
    if (!hasInternal)
      rules.push({ chain: 'KUBE-SERVICES', match: to(s.clusterIP), action: target });
    if (!hasExternal) {
      for (const ip of [...s.externalIPs, ...s.loadBalancerIPs])
        rules.push({ chain: 'KUBE-EXTERNAL-SERVICES', match: to(ip), action: target });
      if (p.nodePort !== undefined)
        rules.push({
          chain: 'KUBE-EXTERNAL-SERVICES',
          match: [
            comment(text),
            { kind: 'addrtype', dir: 'dst', type: 'LOCAL' },
            l4,
            { kind: 'dport', port: p.nodePort },
          ],
          action: target,
        });
    }
  }
  rules.push(
    {
      chain: 'KUBE-FIREWALL',
      match: [
        comment('block incoming localnet connections'),
        { kind: 'dst', cidr: '127.0.0.0/8' },
        { kind: 'src', cidr: '127.0.0.0/8', negate: true },
        { kind: 'ctstate', states: ['RELATED', 'ESTABLISHED', 'DNAT'], negate: true },
      ],
      action: { kind: 'drop' },
    },
    {
      chain: 'KUBE-FORWARD',
      match: [{ kind: 'ctstate', states: ['INVALID'] }],
      action: { kind: 'drop' },
    },
    {
      chain: 'KUBE-FORWARD',
      match: [comment('kubernetes forwarding rules'), { kind: 'mark', mark: MARK }],
      action: { kind: 'accept' },
    },
    {
      chain: 'KUBE-FORWARD',
      match: [
        comment('kubernetes forwarding conntrack rule'),
        { kind: 'ctstate', states: ['RELATED', 'ESTABLISHED'] },
      ],
      action: { kind: 'accept' },
    },
  );
  return { chains: [...KUBE_FILTER_CHAINS], rules, hooks: hooks() };
}
