// kube-proxy in nftables mode (`spec.kubeProxy.mode: nftables`) on one node, as data: table
// `ip kube-proxy` as the proxier's setupNFTables and syncProxyRules write it (kubernetes
// pkg/proxy/nftables/proxier.go, read at commit b0f823e6: the v1.31-v1.33 layout, whose base
// chain priorities are the ones Calico's felix/nftables/table.go lists beside its own):
// - base chains filter-prerouting/-input/-forward/-output at dstnat-10 (-110),
//   filter-output-post-dnat at dstnat+10 (-90), nat-prerouting/-output at dstnat (-100),
//   nat-postrouting at srcnat (100), each jumping to its check or dispatch chain;
// - dispatch through verdict maps (service-ips, service-nodeports), no-endpoint handling
//   through no-endpoint-services / no-endpoint-nodeports (goto reject-chain, or drop when only
//   local endpoints count and there are none), cluster-ips-check (reject other ports of a
//   cluster IP, drop unallocated ones of the service range);
// - per Service port the chains service-/local-/external-<hash>-<ns>/<name>/<proto>/<port>
//   and endpoint-<hash>-…__<ip>/<port> (hashAndTruncate: base32 of SHA-256, 8 characters),
//   the endpoint picked by `numgen random mod n`, ClientIP affinity by dynamic sets.
// nodeport-addresses: nftables mode defaults to `primary` (cmd/kube-proxy/app/server_linux.go
// platformApplyDefaults), so node ports answer on the node's primary address only (set
// nodeport-ips), unlike iptables mode's every local address.
// The same Service values as iptables mode (plan/kube-proxy.ts: endpoints, traffic policies).
import { createHash } from 'node:crypto';
import { base32 } from '../dataplane/kube-proxy-text.js';
import type {
  KpAction,
  KpChain,
  KpMap,
  KpMapElement,
  KpMatch,
  KpRule,
  KpSet,
  KubeProxyNft,
} from '../dataplane/kube-proxy-nft-types.js';
import type { LabNode } from '../model/lab.js';
import type { KubeProxyConfig, LabService, LabServicePort } from '../model/service.js';
import { MASQUERADE_MARK, type ServiceEndpoint, type ServicePortEndpoints } from './kube-proxy.js';

export const KP_NFT_TABLE = 'kube-proxy';
/** knftables.NameLengthMax (256) minus chainNamePrefixLengthMax (16). */
const CHAIN_NAME_BASE_MAX = 240;

/** hashAndTruncate: "<first 8 of base32(sha256(name))>-<name>", cut to 240 with "...". */
export function hashAndTruncate(name: string): string {
  const h = base32(createHash('sha256').update(name).digest()).slice(0, 8);
  const out = `${h}-${name}`;
  return out.length > CHAIN_NAME_BASE_MAX ? `${out.slice(0, CHAIN_NAME_BASE_MAX - 3)}...` : out;
}

/** servicePortChainNameBase: "<hash>-<ns>/<name>/<proto>/<port name>". */
export function nftServiceChainBase(s: LabService, p: LabServicePort): string {
  return hashAndTruncate(`${s.namespace}/${s.name}/${p.protocol.toLowerCase()}/${p.name}`);
}

/** servicePortEndpointChainNameBase: "<hash>-<ns>/<name>/<proto>/<port name>__<ip>/<port>". */
export function nftEndpointChainBase(s: LabService, p: LabServicePort, e: ServiceEndpoint): string {
  const ip = e.ip.replaceAll(':', '.');
  return hashAndTruncate(
    `${s.namespace}/${s.name}/${p.protocol.toLowerCase()}/${p.name}__${ip}/${e.port}`,
  );
}

/** The per-port chain names (servicePortInfo's clusterPolicy/localPolicy/external chains). */
export function nftServiceChains(s: LabService, p: LabServicePort) {
  const base = nftServiceChainBase(s, p);
  return {
    cluster: `service-${base}`,
    local: `local-${base}`,
    external: `external-${base}`,
    firewall: `firewall-${base}`,
  };
}

export const nftEndpointChain = (s: LabService, p: LabServicePort, e: ServiceEndpoint): string =>
  `endpoint-${nftEndpointChainBase(s, p, e)}`;
const affinitySet = (s: LabService, p: LabServicePort, e: ServiceEndpoint): string =>
  `affinity-${nftEndpointChainBase(s, p, e)}`;

const ctNew: KpMatch = { kind: 'ctNew' };
const jump = (target: string): KpAction => ({ kind: 'jump', target });
const goto = (target: string): KpAction => ({ kind: 'goto', target });
const rule = (match: KpMatch[], action: KpAction, comment?: string): KpRule =>
  comment === undefined ? { match, action } : { match, action, comment };

/** The base chains (nftablesBaseChains) with their jumps (nftablesJumpChains, in that order). */
function baseChains(): KpChain[] {
  const f = (
    name: string,
    hook: 'prerouting' | 'input' | 'forward' | 'output',
    priority: number,
    targets: string[],
  ): KpChain => ({
    name,
    base: { type: 'filter', hook, priority },
    rules: targets.map((t) => rule([ctNew], jump(t))),
  });
  return [
    f('filter-prerouting', 'prerouting', -110, ['firewall-check']),
    f('filter-input', 'input', -110, ['nodeport-endpoints-check', 'service-endpoints-check']),
    f('filter-forward', 'forward', -110, ['service-endpoints-check', 'cluster-ips-check']),
    f('filter-output', 'output', -110, ['service-endpoints-check', 'firewall-check']),
    f('filter-output-post-dnat', 'output', -90, ['cluster-ips-check']),
    {
      name: 'nat-prerouting',
      base: { type: 'nat', hook: 'prerouting', priority: -100 },
      rules: [rule([], jump('services'))],
    },
    {
      name: 'nat-output',
      base: { type: 'nat', hook: 'output', priority: -100 },
      rules: [rule([], jump('services'))],
    },
    {
      name: 'nat-postrouting',
      base: { type: 'nat', hook: 'postrouting', priority: 100 },
      rules: [rule([], jump('masquerading'))],
    },
  ];
}

/** The top-level regular chains setupNFTables fills. */
function topChains(cfg: KubeProxyConfig): KpChain[] {
  const clusterIpsCheck: KpRule[] = [
    rule(
      [{ kind: 'addrSet', dir: 'daddr', set: 'cluster-ips' }],
      { kind: 'reject' },
      'Reject traffic to invalid ports of ClusterIPs',
    ),
    // The ServiceCIDR objects (the API server's service range, the default ServiceCIDR).
    rule(
      [{ kind: 'addrIn', dir: 'daddr', cidrs: [cfg.serviceClusterIPRange] }],
      { kind: 'drop' },
      'Drop traffic to unallocated ClusterIPs',
    ),
  ];
  return [
    { name: 'nodeport-endpoints-check', rules: [] },
    { name: 'service-endpoints-check', rules: [] },
    { name: 'firewall-check', rules: [] },
    { name: 'services', rules: [] },
    { name: 'masquerading', rules: [] },
    { name: 'cluster-ips-check', rules: clusterIpsCheck },
    {
      name: 'mark-for-masquerade',
      rules: [rule([], { kind: 'markOr', mark: MASQUERADE_MARK })],
    },
    {
      name: 'reject-chain',
      comment: 'helper for @no-endpoint-services / @no-endpoint-nodeports',
      rules: [rule([], { kind: 'reject' })],
    },
  ];
}

/** Table `ip kube-proxy` on `node` for the Services' ports and their endpoints. */
export function kubeProxyNftTable(
  cfg: KubeProxyConfig,
  node: LabNode,
  ports: readonly ServicePortEndpoints[],
): KubeProxyNft {
  const chains = [...baseChains(), ...topChains(cfg)];
  const byName = new Map(chains.map((c) => [c.name, c]));
  const add = (name: string, r: KpRule) => byName.get(name)!.rules.push(r);
  add('masquerading', rule([{ kind: 'markUnset', mark: MASQUERADE_MARK }], { kind: 'return' }));
  add('masquerading', rule([], { kind: 'markXor', mark: MASQUERADE_MARK }));
  add('masquerading', rule([], { kind: 'masquerade' }));
  add(
    'service-endpoints-check',
    rule([], { kind: 'vmap', key: 'ip', map: 'no-endpoint-services' }),
  );
  add(
    'nodeport-endpoints-check',
    rule([{ kind: 'addrSet', dir: 'daddr', set: 'nodeport-ips' }], {
      kind: 'vmap',
      key: 'port',
      map: 'no-endpoint-nodeports',
    }),
  );
  add('firewall-check', rule([], { kind: 'vmap', key: 'ip', map: 'firewall-ips' }));
  add('services', rule([], { kind: 'vmap', key: 'ip', map: 'service-ips' }));
  add(
    'services',
    rule([{ kind: 'addrSet', dir: 'daddr', set: 'nodeport-ips' }], {
      kind: 'vmap',
      key: 'port',
      map: 'service-nodeports',
    }),
  );

  const sets: KpSet[] = [
    { name: 'cluster-ips', comment: 'Active ClusterIPs', elements: [] },
    { name: 'nodeport-ips', comment: 'IPs that accept NodePort traffic', elements: [node.address] },
  ];
  const map = (name: string, key: 'ip' | 'port', comment: string): KpMap => ({
    name,
    key,
    comment,
    elements: [],
  });
  const noEndpointServices = map(
    'no-endpoint-services',
    'ip',
    'vmap to drop or reject packets to services with no endpoints',
  );
  const noEndpointNodePorts = map(
    'no-endpoint-nodeports',
    'port',
    'vmap to drop or reject packets to service nodeports with no endpoints',
  );
  const firewallIps = map(
    'firewall-ips',
    'ip',
    'destinations that are subject to LoadBalancerSourceRanges',
  );
  const serviceIps = map('service-ips', 'ip', 'ClusterIP, ExternalIP and LoadBalancer IP traffic');
  const serviceNodePorts = map('service-nodeports', 'port', 'NodePort traffic');

  const ifLocal = (negate: boolean): KpMatch[] =>
    cfg.clusterCIDR ? [{ kind: 'addr', dir: 'saddr', cidr: cfg.clusterCIDR, negate }] : [];

  for (const sp of ports) {
    const s = sp.service;
    const p = sp.port;
    const proto = p.protocol === 'UDP' ? 'udp' : 'tcp';
    const names = nftServiceChains(s, p);
    const all = sp.endpoints;
    const local = all.filter((e) => e.node === node.name);
    const hasEndpoints = all.length > 0;
    const externallyAccessible =
      p.nodePort !== undefined || s.externalIPs.length > 0 || s.loadBalancerIPs.length > 0;
    const internalLocal = s.internalTrafficPolicy === 'Local';
    const externalLocal = s.externalTrafficPolicy === 'Local' && externallyAccessible;
    const usesCluster = !internalLocal || externallyAccessible;
    const usesLocal = internalLocal || externalLocal;
    const clusterEndpoints = usesCluster ? all : [];
    const localEndpoints = usesLocal ? local : [];
    const reachable = [...clusterEndpoints];
    for (const e of localEndpoints) if (!reachable.includes(e)) reachable.push(e);
    const affinity = s.sessionAffinity === 'ClientIP';

    // Chains in the order syncProxyRules ensures them: endpoints, cluster, local, external.
    const own: KpChain[] = reachable.map((e) => ({ name: nftEndpointChain(s, p, e), rules: [] }));
    const usesClusterChain = clusterEndpoints.length > 0;
    const usesLocalChain = localEndpoints.length > 0;
    const usesExtChain = hasEndpoints && externallyAccessible;
    const chainOf = (name: string): KpChain => {
      let c = own.find((x) => x.name === name);
      if (!c) {
        c = { name, rules: [] };
        own.push(c);
      }
      return c;
    };
    if (usesClusterChain) chainOf(names.cluster);
    if (usesLocalChain) chainOf(names.local);
    if (usesExtChain) chainOf(names.external);

    const internalChain = internalLocal ? names.local : names.cluster;
    const hasInternal = hasEndpoints && (!internalLocal || local.length > 0);
    const externalPolicyChain = externalLocal ? names.local : names.cluster;
    const hasExternal = hasEndpoints && (!externalLocal || local.length > 0);
    // No endpoints at all: REJECT (goto reject-chain); endpoints elsewhere only: drop.
    const noEndpointVerdict: KpMapElement['verdict'] = hasEndpoints
      ? { kind: 'drop' }
      : { kind: 'goto', target: 'reject-chain' };
    const comment = sp.portName;
    const ipKey = (ip: string) => [ip, proto, String(p.port)];

    sets[0]!.elements.push(s.clusterIP);
    if (hasInternal)
      serviceIps.elements.push({
        key: ipKey(s.clusterIP),
        verdict: { kind: 'goto', target: internalChain },
      });
    else
      noEndpointServices.elements.push({
        key: ipKey(s.clusterIP),
        verdict: noEndpointVerdict,
        comment,
      });
    for (const ip of [...s.externalIPs, ...s.loadBalancerIPs]) {
      if (hasEndpoints)
        serviceIps.elements.push({
          key: ipKey(ip),
          verdict: { kind: 'goto', target: names.external },
        });
      if (!hasExternal)
        noEndpointServices.elements.push({ key: ipKey(ip), verdict: noEndpointVerdict, comment });
    }
    if (p.nodePort !== undefined) {
      const key = [proto, String(p.nodePort)];
      if (hasEndpoints)
        serviceNodePorts.elements.push({ key, verdict: { kind: 'goto', target: names.external } });
      if (!hasExternal)
        noEndpointNodePorts.elements.push({ key, verdict: noEndpointVerdict, comment });
    }

    if (hasInternal) {
      const to: KpMatch[] = [
        { kind: 'addr', dir: 'daddr', cidr: s.clusterIP },
        { kind: 'dport', proto, port: p.port },
      ];
      if (cfg.masqueradeAll)
        chainOf(internalChain).rules.push(rule(to, jump('mark-for-masquerade')));
      else if (cfg.clusterCIDR)
        // Off-cluster traffic to a cluster IP is masqueraded (localDetector.IfNotLocalNFT).
        chainOf(internalChain).rules.push(
          rule([...to, ...ifLocal(true)], jump('mark-for-masquerade')),
        );
    }
    if (usesExtChain) {
      const ext = chainOf(names.external);
      if (!externalLocal) ext.rules.push(rule([], jump('mark-for-masquerade')));
      else {
        if (cfg.clusterCIDR)
          ext.rules.push(rule(ifLocal(false), goto(names.cluster), 'short-circuit pod traffic'));
        ext.rules.push(
          rule(
            [{ kind: 'fibSaddrLocal' }],
            jump('mark-for-masquerade'),
            'masquerade local traffic',
          ),
        );
        ext.rules.push(
          rule([{ kind: 'fibSaddrLocal' }], goto(names.cluster), 'short-circuit local traffic'),
        );
      }
      if (hasExternal) ext.rules.push(rule([], goto(externalPolicyChain)));
    }
    if (affinity)
      for (const e of reachable)
        sets.push({
          name: affinitySet(s, p, e),
          timeoutSeconds: s.sessionAffinityTimeout,
          elements: [],
        });
    const dispatch = (chain: string, eps: readonly ServiceEndpoint[]) => {
      const c = chainOf(chain);
      if (affinity)
        for (const e of eps)
          c.rules.push(
            rule(
              [{ kind: 'addrSet', dir: 'saddr', set: affinitySet(s, p, e) }],
              goto(nftEndpointChain(s, p, e)),
            ),
          );
      c.rules.push(
        rule([], { kind: 'numgen', targets: eps.map((e) => nftEndpointChain(s, p, e)) }),
      );
    };
    if (usesClusterChain) dispatch(names.cluster, clusterEndpoints);
    if (usesLocalChain) dispatch(names.local, localEndpoints);
    for (const e of reachable) {
      const c = chainOf(nftEndpointChain(s, p, e));
      // Traffic from the endpoint to its own Service (hairpin) is masqueraded.
      c.rules.push(rule([{ kind: 'addr', dir: 'saddr', cidr: e.ip }], jump('mark-for-masquerade')));
      if (affinity) c.rules.push(rule([], { kind: 'updateAffinity', set: affinitySet(s, p, e) }));
      c.rules.push(rule([], { kind: 'dnat', proto, to: `${e.ip}:${e.port}` }));
    }
    chains.push(...own);
  }
  return {
    sets,
    maps: [noEndpointServices, noEndpointNodePorts, firewallIps, serviceIps, serviceNodePorts],
    chains,
  };
}
