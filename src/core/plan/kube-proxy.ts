// kube-proxy (iptables mode) on one node, as data: the endpoints each Service port has (the pods
// its selector picks that serve the target port, as the EndpointSlice controller lists them) and
// the nat rules kube-proxy's syncProxyRules writes for them (kubernetes
// pkg/proxy/iptables/proxier.go, read at v1.31: chain names, comments, argument order, the
// KUBE-EXT- short-circuit rules for Local policy, the 1/n probabilities, the last KUBE-SERVICES
// rule to KUBE-NODEPORTS). Its jumps from PREROUTING/OUTPUT/POSTROUTING come after Calico's:
// kube-proxy prepends them, and Felix (ChainInsertMode insert) keeps its own hooks first.
// Not rendered: kube-proxy's filter table (KUBE-FORWARD accepts, REJECT/DROP for Services without
// (local) endpoints); the lab's filter chains are empty with policy ACCEPT.
import { endpointChainName, serviceChainName } from '../dataplane/kube-proxy-text.js';
import type { KubeMatch, KubeProxyNat, KubeRule } from '../dataplane/kube-proxy-types.js';
import type { Lab, LabNode } from '../model/lab.js';
import type { KubeProxyConfig, LabService, LabServicePort } from '../model/service.js';
import type { IpamPlan } from './types.js';

/** kube-proxy's default --iptables-masquerade-bit 14, printed as Go's %#08x. */
export const MASQUERADE_MARK = '0x004000';
const MARK = `${MASQUERADE_MARK}/${MASQUERADE_MARK}`;

export interface ServiceEndpoint {
  pod: string;
  node: string;
  ip: string;
  port: number;
}

export interface ServicePortEndpoints {
  service: LabService;
  port: LabServicePort;
  /** "namespace/name" or "namespace/name:port", kube-proxy's ServicePortName. */
  portName: string;
  endpoints: ServiceEndpoint[];
}

export function servicePortName(s: LabService, p: LabServicePort): string {
  return `${s.namespace}/${s.name}${p.name ? `:${p.name}` : ''}`;
}

const endpointsCache = new WeakMap<IpamPlan, ServicePortEndpoints[]>();

/** Every Service port with its endpoints (sorted by "ip:port", as kube-proxy lists them). */
export function serviceEndpoints(lab: Lab, ipam: IpamPlan): ServicePortEndpoints[] {
  const cached = endpointsCache.get(ipam);
  if (cached) return cached;
  const computed = computeEndpoints(lab, ipam);
  endpointsCache.set(ipam, computed);
  return computed;
}

function computeEndpoints(lab: Lab, ipam: IpamPlan): ServicePortEndpoints[] {
  const out: ServicePortEndpoints[] = [];
  const podByName = new Map(lab.pods.map((p) => [p.name, p]));
  for (const s of lab.services ?? []) {
    for (const port of s.ports) {
      const endpoints: ServiceEndpoint[] = [];
      for (const a of ipam.assignments) {
        const pod = podByName.get(a.pod);
        if (!pod || pod.namespace !== s.namespace) continue;
        if (!Object.entries(s.selector).length) continue;
        if (!Object.entries(s.selector).every(([k, v]) => pod.labels[k] === v)) continue;
        const serves = port.protocol === 'UDP' ? pod.udpPorts : pod.tcpPorts;
        if (!serves?.includes(port.targetPort)) continue;
        endpoints.push({ pod: pod.name, node: a.node, ip: a.address, port: port.targetPort });
      }
      endpoints.sort((x, y) => (`${x.ip}:${x.port}` < `${y.ip}:${y.port}` ? -1 : 1));
      out.push({ service: s, port, portName: servicePortName(s, port), endpoints });
    }
  }
  return out.sort((a, b) =>
    a.portName < b.portName
      ? -1
      : a.portName > b.portName
        ? 1
        : a.port.protocol < b.port.protocol
          ? -1
          : 1,
  );
}

/** kube-proxy's probability(n): 1/n with ten decimals. */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

const comment = (text: string): KubeMatch => ({ kind: 'comment', text });

/** The nat rules kube-proxy writes on `node`. */
export function kubeProxyNat(
  cfg: KubeProxyConfig,
  node: LabNode,
  ports: readonly ServicePortEndpoints[],
): KubeProxyNat {
  const chains = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'];
  const rules: KubeRule[] = [
    {
      chain: 'KUBE-POSTROUTING',
      match: [{ kind: 'mark', mark: MARK, negate: true }],
      action: { kind: 'return' },
    },
    // Clear the mark so a packet that traverses the stack again is not masqueraded twice.
    { chain: 'KUBE-POSTROUTING', match: [], action: { kind: 'markXor', mark: MASQUERADE_MARK } },
    {
      chain: 'KUBE-POSTROUTING',
      match: [comment('kubernetes service traffic requiring SNAT')],
      action: { kind: 'masquerade', randomFully: true },
    },
    { chain: 'KUBE-MARK-MASQ', match: [], action: { kind: 'markOr', mark: MASQUERADE_MARK } },
  ];
  const R = (chain: string, match: KubeMatch[], target: string) =>
    rules.push({ chain, match, action: { kind: 'jump', target } });

  for (const sp of ports) {
    const s = sp.service;
    const proto = sp.port.protocol === 'UDP' ? 'udp' : 'tcp';
    const name = sp.portName;
    const svc = serviceChainName('SVC', name, proto);
    const svl = serviceChainName('SVL', name, proto);
    const ext = serviceChainName('EXT', name, proto);
    const all = sp.endpoints;
    const local = all.filter((e) => e.node === node.name);
    const hasEndpoints = all.length > 0;
    const externallyAccessible =
      sp.port.nodePort !== undefined || s.externalIPs.length > 0 || s.loadBalancerIPs.length > 0;
    const internalLocal = s.internalTrafficPolicy === 'Local';
    const externalLocal = s.externalTrafficPolicy === 'Local' && externallyAccessible;
    // proxy.ServicePort UsesClusterEndpoints / UsesLocalEndpoints.
    const usesCluster = !internalLocal || externallyAccessible;
    const usesLocal = internalLocal || externalLocal;
    const clusterEndpoints = usesCluster ? all : [];
    const localEndpoints = usesLocal ? local : [];
    const usesClusterChain = clusterEndpoints.length > 0;
    const usesLocalChain = localEndpoints.length > 0;
    const internalChain = internalLocal ? svl : svc;
    const hasInternal = hasEndpoints && (!internalLocal || local.length > 0);
    const externalPolicyChain = externalLocal ? svl : svc;
    const hasExternal = hasEndpoints && (!externalLocal || local.length > 0);
    const usesExtChain = hasEndpoints && externallyAccessible;
    const l4 = { kind: 'l4', proto } as const;
    const to = (ip: string, port: number): KubeMatch[] => [
      l4,
      { kind: 'dst', cidr: ip },
      { kind: 'dport', port },
    ];

    if (hasInternal)
      R(
        'KUBE-SERVICES',
        [comment(`${name} cluster IP`), ...to(s.clusterIP, sp.port.port)],
        internalChain,
      );
    if (hasEndpoints) {
      for (const ip of s.externalIPs)
        R('KUBE-SERVICES', [comment(`${name} external IP`), ...to(ip, sp.port.port)], ext);
      for (const ip of s.loadBalancerIPs)
        R('KUBE-SERVICES', [comment(`${name} loadbalancer IP`), ...to(ip, sp.port.port)], ext);
      if (sp.port.nodePort !== undefined)
        R('KUBE-NODEPORTS', [comment(name), l4, { kind: 'dport', port: sp.port.nodePort }], ext);
    }

    if (hasInternal) {
      const args = [comment(`${name} cluster IP`), ...to(s.clusterIP, sp.port.port)];
      if (cfg.masqueradeAll) R(internalChain, args, 'KUBE-MARK-MASQ');
      else if (cfg.clusterCIDR)
        // Off-cluster traffic to a cluster IP is masqueraded (detect-local-mode ClusterCIDR).
        R(
          internalChain,
          [...args, { kind: 'src', cidr: cfg.clusterCIDR, negate: true }],
          'KUBE-MARK-MASQ',
        );
    }

    if (usesExtChain) {
      chains.push(ext);
      if (!externalLocal) {
        R(ext, [comment(`masquerade traffic for ${name} external destinations`)], 'KUBE-MARK-MASQ');
      } else {
        if (cfg.clusterCIDR)
          R(
            ext,
            [
              comment(`pod traffic for ${name} external destinations`),
              { kind: 'src', cidr: cfg.clusterCIDR },
            ],
            svc,
          );
        R(
          ext,
          [
            comment(`masquerade LOCAL traffic for ${name} external destinations`),
            { kind: 'addrtype', dir: 'src', type: 'LOCAL' },
          ],
          'KUBE-MARK-MASQ',
        );
        R(
          ext,
          [
            comment(`route LOCAL traffic for ${name} external destinations`),
            { kind: 'addrtype', dir: 'src', type: 'LOCAL' },
          ],
          svc,
        );
      }
      if (hasExternal) R(ext, [], externalPolicyChain);
    }

    const dispatch = (chain: string, eps: readonly ServiceEndpoint[]) => {
      chains.push(chain);
      if (s.sessionAffinity === 'ClientIP')
        for (const e of eps) {
          const sep = endpointChainName(name, proto, `${e.ip}:${e.port}`);
          R(
            chain,
            [
              comment(`${name} -> ${e.ip}:${e.port}`),
              { kind: 'recentCheck', name: sep, seconds: s.sessionAffinityTimeout },
            ],
            sep,
          );
        }
      eps.forEach((e, i) => {
        const sep = endpointChainName(name, proto, `${e.ip}:${e.port}`);
        const m: KubeMatch[] = [comment(`${name} -> ${e.ip}:${e.port}`)];
        if (i < eps.length - 1)
          m.push({ kind: 'statistic', probability: probability(eps.length - i) });
        R(chain, m, sep);
      });
    };
    if (usesClusterChain) dispatch(svc, clusterEndpoints);
    if (usesLocalChain) dispatch(svl, localEndpoints);

    const reachable = [...clusterEndpoints];
    for (const e of localEndpoints) if (!reachable.includes(e)) reachable.push(e);
    for (const e of reachable) {
      const sep = endpointChainName(name, proto, `${e.ip}:${e.port}`);
      chains.push(sep);
      // Traffic from the endpoint to its own Service (hairpin) is masqueraded.
      R(sep, [comment(name), { kind: 'src', cidr: e.ip }], 'KUBE-MARK-MASQ');
      const m: KubeMatch[] = [comment(name)];
      if (s.sessionAffinity === 'ClientIP') m.push({ kind: 'recentSet', name: sep });
      m.push(l4);
      rules.push({ chain: sep, match: m, action: { kind: 'dnat', to: `${e.ip}:${e.port}` } });
    }
  }
  // The tail call to the node ports: every local destination address (nodePortAddresses unset).
  R(
    'KUBE-SERVICES',
    [
      comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain'),
      { kind: 'addrtype', dir: 'dst', type: 'LOCAL' },
    ],
    'KUBE-NODEPORTS',
  );
  const hook = (chain: string, text: string, target: string): KubeRule => ({
    chain,
    match: [comment(text)],
    action: { kind: 'jump', target },
  });
  return {
    chains,
    rules,
    hooks: [
      hook('PREROUTING', 'kubernetes service portals', 'KUBE-SERVICES'),
      hook('OUTPUT', 'kubernetes service portals', 'KUBE-SERVICES'),
      hook('POSTROUTING', 'kubernetes postrouting rules', 'KUBE-POSTROUTING'),
    ],
  };
}
