// explain through a Service when kube-proxy runs in nftables mode: the walk through table
// `ip kube-proxy` (plan/kube-proxy-nft.ts) on the node that receives the first packet:
// nat-prerouting (priority dstnat) -> services: the verdict map service-ips (address . proto .
// port) or, for the node's primary address, service-nodeports (proto . port) -> external- /
// service- / local- chains (mark-for-masquerade when the policy or the source asks for it) ->
// `numgen random mod n` -> endpoint-'s DNAT; a Service without (usable) endpoints is caught by
// filter-input / filter-forward (priority dstnat - 10 after routing) -> service- or
// nodeport-endpoints-check -> no-endpoint-services / no-endpoint-nodeports -> reject-chain
// (ICMP port unreachable: "connection refused") or drop. Then nat-postrouting (srcnat) ->
// masquerading, before Calico's own POSTROUTING hook (srcnat + 10 in nftables mode).
import type { KpChain, KpMapElement, KpRule } from '../dataplane/kube-proxy-nft-types.js';
import { listKpRule } from '../dataplane/render-kube-proxy-nft.js';
import type { NodeDataplane } from '../dataplane/types.js';
import type { LabHost, LabNode } from '../model/lab.js';
import type { LabService, LabServicePort } from '../model/service.js';
import { cidrContains } from '../net/cidr.js';
import type { ServicePortEndpoints } from '../plan/kube-proxy.js';
import type { LabPlan } from '../plan/types.js';
import type { Explanation } from './types.js';

/** What explain-service.ts resolved before choosing the kube-proxy mode. */
export interface ServiceWalk {
  plan: LabPlan;
  from: string;
  svc: LabService;
  port: LabServicePort;
  sp: ServicePortEndpoints;
  host?: LabHost;
  srcPod?: { pod: string; node: string; address: string };
  srcAddress: string;
  address: string;
  dport: number;
  external: boolean;
  viaNode?: LabNode;
  atNode: string;
  node: LabNode;
  dp: NodeDataplane;
}

const inside = (cidr: string, ip: string) =>
  cidrContains(cidr.includes('/') ? cidr : `${cidr}/32`, ip);

export function explainServiceNft(w: ServiceWalk): Explanation {
  const t = w.dp.kubeProxyNft!;
  const lab = w.plan.lab;
  const proto = w.port.protocol === 'UDP' ? 'udp' : 'tcp';
  const steps: string[] = [];
  const at = w.atNode;
  const chain = (name: string): KpChain | undefined => t.chains.find((c) => c.name === name);
  const say = (c: string, r: KpRule) => steps.push(`${at}: ${c}: ${listKpRule(r)}`);
  const mapEl = (map: string, key: string[]): KpMapElement | undefined =>
    t.maps.find((m) => m.name === map)?.elements.find((e) => e.key.join(' . ') === key.join(' . '));
  const nodePortAddr = t.sets.find((s) => s.name === 'nodeport-ips')?.elements.includes(w.address);
  const felixNft = w.dp.natDataplane === 'nftables';
  steps.push(
    `${w.from} (${w.srcAddress}) -> ${w.address}:${w.dport}/${proto}: PREROUTING on ${at}: kube-proxy's nat-prerouting (table ip kube-proxy, priority dstnat) jump services`,
  );
  const ipKey = [w.address, proto, String(w.dport)];
  let el = mapEl('service-ips', ipKey);
  let via = `service-ips { ${ipKey.join(' . ')} }`;
  if (!el && nodePortAddr) {
    el = mapEl('service-nodeports', [proto, String(w.dport)]);
    via = `@nodeport-ips, service-nodeports { ${proto} . ${w.dport} }`;
  }
  let marked = false;
  let reason = '';
  let target: string | undefined;
  if (el && el.verdict.kind === 'goto') {
    steps.push(`${at}: services: ${via} : goto ${el.verdict.target}`);
    target = el.verdict.target;
  }
  // Follow the chains: each rule's matches for this packet (pod source, node-local source).
  let ep: { ip: string; port: number; chain: string } | undefined;
  for (let hops = 0; target && hops < 8; hops++) {
    const c = chain(target);
    target = undefined;
    if (!c) break;
    for (const r of c.rules) {
      const applies = r.match.every((m) => {
        if (m.kind === 'fibSaddrLocal') return false; // the sender is never the node itself here
        if (m.kind === 'addr')
          return inside(m.cidr, m.dir === 'saddr' ? w.srcAddress : w.address) !== !!m.negate;
        // The cluster IP's own port test: a node port or external address never matches it.
        if (m.kind === 'dport') return m.port === w.dport;
        if (m.kind === 'addrSet' && m.dir === 'saddr') return false; // no affinity yet
        return true;
      });
      if (!applies) continue;
      say(c.name, r);
      const a = r.action;
      if (a.kind === 'jump' && a.target === 'mark-for-masquerade') {
        marked = true;
        reason = c.name.startsWith('external-')
          ? 'externalTrafficPolicy Cluster: traffic from outside is marked before any endpoint is chosen'
          : c.name.startsWith('endpoint-')
            ? 'the pod reached itself through the Service (hairpin)'
            : lab.kubeProxy?.masqueradeAll
              ? 'masqueradeAll: every packet to a cluster IP is marked'
              : `the source ${w.srcAddress} is outside kube-proxy's clusterCIDR ${lab.kubeProxy?.clusterCIDR ?? ''}`;
        continue;
      }
      if (a.kind === 'goto') target = a.target;
      else if (a.kind === 'numgen') {
        // One endpoint at random; for the example, not the sender itself when it has a choice.
        const eps = a.targets;
        const pick = eps.find((x) => !x.includes(`__${w.srcAddress}/`)) ?? eps[0]!;
        steps.push(
          `${at}: ${c.name}: one of ${eps.length} endpoint chain${eps.length === 1 ? '' : 's'} (numgen random mod ${eps.length}), e.g. ${pick}`,
        );
        target = pick;
      } else if (a.kind === 'dnat') {
        const [ip, p] = a.to.split(':');
        ep = { ip: ip!, port: Number(p), chain: c.name };
      }
      break;
    }
  }
  const endpoint = ep ? w.sp.endpoints.find((e) => e.ip === ep.ip) : undefined;
  let forward: { ok: boolean; reason: string };
  if (endpoint) forward = { ok: true, reason: `DNAT to ${endpoint.pod} on ${endpoint.node}` };
  else {
    // No dispatch: the filter hooks' endpoint checks decide (after routing, priority dstnat - 10).
    const local = w.viaNode !== undefined && w.address === w.viaNode.address;
    const np = local ? mapEl('no-endpoint-nodeports', [proto, String(w.dport)]) : undefined;
    const ne = np ?? mapEl('no-endpoint-services', ipKey);
    const hook = local ? 'filter-input' : 'filter-forward';
    const check = np ? 'nodeport-endpoints-check' : 'service-endpoints-check';
    if (ne) {
      const verdict = ne.verdict.kind === 'drop' ? 'drop' : `goto ${ne.verdict.target}`;
      steps.push(
        `${at}: ${hook}: ct state new jump ${check}: ${np ? 'no-endpoint-nodeports' : 'no-endpoint-services'} { ${ne.key.join(' . ')} comment "${ne.comment ?? ''}" } : ${verdict}`,
      );
      forward = {
        ok: false,
        reason:
          ne.verdict.kind === 'drop'
            ? `externalTrafficPolicy or internalTrafficPolicy Local and no endpoint on ${at}: kube-proxy drops the packet`
            : `the Service has no endpoints: kube-proxy's reject-chain rejects it (ICMP port unreachable: the client sees "connection refused")`,
      };
    } else
      forward = {
        ok: false,
        reason: `no kube-proxy rule on ${at} catches ${w.address}:${w.dport}`,
      };
  }
  if (ep) {
    steps.push(
      `POSTROUTING: kube-proxy's nat-postrouting (priority srcnat) jump masquerading, then Calico's ${felixNft ? 'nat-POSTROUTING (table ip calico, priority srcnat + 10)' : 'cali-POSTROUTING (iptables nat table)'}; its natOutgoing rule does not match (the destination, after DNAT, is a pod of a pool)`,
    );
    steps.push(
      marked
        ? `masquerading: the packet carries mark 0x4000 (${reason}): masquerade fully-random to ${w.node.address}`
        : 'masquerading: mark and 0x4000 == 0: return, the source is kept',
    );
  }
  const reply = forward.ok;
  const podName = w.srcPod ? w.srcPod.pod : (endpoint?.pod ?? '');
  const podIp = w.srcPod ? w.srcPod.address : (endpoint?.ip ?? '');
  const pool =
    lab.ipPools.find((p) => podIp && cidrContains(p.spec.cidr, podIp)) ?? lab.ipPools[0]!;
  const masqRule = chain('masquerading')!.rules.findIndex((r) => r.action.kind === 'masquerade');
  const e: Explanation = {
    pod: podName,
    podAddress: podIp,
    node: w.srcPod ? w.srcPod.node : (endpoint?.node ?? at),
    nodeAddress: w.node.address,
    destination: w.address,
    destinationName: `service/${w.svc.namespace}/${w.svc.name}`,
    sourcePool: {
      name: pool.name,
      cidr: pool.spec.cidr,
      natOutgoing: pool.spec.natOutgoing,
      disabled: pool.spec.disabled,
    },
    nat:
      marked && reply
        ? {
            action: 'masquerade',
            rule: {
              chain: 'masquerading',
              index: masqRule,
              hash: '',
              text: listKpRule(chain('masquerading')!.rules[masqRule]!),
            },
            toSource: w.node.address,
          }
        : { action: 'none' },
    seenSource: marked && reply ? w.node.address : w.srcAddress,
    seenAs: !reply ? 'address' : marked ? 'node' : w.srcPod ? 'pod' : 'address',
    forward,
    routeBack: {
      ok: reply,
      reason: reply
        ? `replies go back through ${at}'s conntrack entry (un-DNAT${marked ? ', un-SNAT' : ''})`
        : forward.reason,
    },
    reply,
    steps,
    warnings: [],
  };
  if (w.host) e.source = { name: w.host.name, address: w.host.address, kind: 'host' };
  return e;
}
