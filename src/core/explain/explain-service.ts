// explain through a Service (`--to service/NAME[@VIA]`, VIA a node name for its NodePort, or
// clusterIP, loadBalancer, externalIP): the kube-proxy rules the first packet takes on the node
// that receives it (KUBE-SERVICES or KUBE-NODEPORTS, KUBE-EXT-, KUBE-SVC-/KUBE-SVL-, KUBE-SEP-'s
// DNAT), whether it is marked for masquerade (Cluster policy from outside, masqueradeAll, a source
// outside clusterCIDR, a pod reaching itself), then POSTROUTING: Calico's hook first (its
// natOutgoing rule does not match a packet DNATed to a pod of a pool), then KUBE-POSTROUTING.
import { LabInputError } from '../errors.js';
import { renderKubeSave } from '../dataplane/kube-proxy-text.js';
import type { KubeRule } from '../dataplane/kube-proxy-types.js';
import type { LabService } from '../model/service.js';
import { cidrContains } from '../net/cidr.js';
import { serviceEndpoints } from '../plan/kube-proxy.js';
import type { LabPlan } from '../plan/types.js';
import type { Explanation } from './types.js';
import { explainServiceNft } from './explain-service-nft.js';
import { explainInboundFirewall } from './explain-perimeter.js';

function fail(message: string): never {
  throw new LabInputError([{ message }]);
}

export function explainService(
  plan: LabPlan,
  from: string,
  to: string,
  protocol: 'icmp' | 'tcp' | 'udp' = 'tcp',
): Explanation {
  const lab = plan.lab;
  const [ref, viaText] = to.slice('service/'.length).split('@', 2) as [string, string | undefined];
  const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
  const svc: LabService | undefined = (lab.services ?? []).find(
    (s) => s.name === name && (ns === undefined || s.namespace === ns),
  );
  if (!svc) fail(`service/${ref} is not a Service of this lab`);
  const proto = protocol === 'udp' ? 'UDP' : 'TCP';
  const port = svc.ports.find((p) => p.protocol === proto);
  if (!port) fail(`Service ${svc.namespace}/${svc.name} has no ${proto} port`);
  const host = lab.hosts.find((h) => h.name === from);
  const srcPod = plan.ipam.assignments.find((a) => a.pod === from);
  if (!host && !srcPod) fail(`${from} is neither a pod nor a host of this lab`);
  const srcAddress = host ? host.address : srcPod!.address;
  const sp = serviceEndpoints(lab, plan.ipam).find((x) => x.service === svc && x.port === port)!;

  // Where the packet arrives and what it is addressed to.
  const via =
    viaText ??
    (host ? (svc.loadBalancerIPs.length ? 'loadBalancer' : lab.nodes[0]!.name) : 'clusterIP');
  const viaNode = lab.nodes.find((n) => n.name === via);
  let address: string;
  let dport = port.port;
  let external = true;
  if (via === 'clusterIP') {
    address = svc.clusterIP;
    external = false;
  } else if (via === 'loadBalancer' && svc.loadBalancerIPs.length)
    address = svc.loadBalancerIPs[0]!;
  else if (via === 'externalIP' && svc.externalIPs.length) address = svc.externalIPs[0]!;
  else if (viaNode && port.nodePort !== undefined) {
    address = viaNode.address;
    dport = port.nodePort;
  } else fail(`via ${via}: Service ${svc.namespace}/${svc.name} has no such address`);
  // The node kube-proxy acts on: the sender's own node (a pod), the NodePort's node, or for an
  // advertised address the node with an endpoint (Local: only those advertise the /32).
  const atNode = srcPod?.node ?? viaNode?.name ?? sp.endpoints[0]?.node ?? lab.nodes[0]!.name;
  const node = lab.nodes.find((n) => n.name === atNode)!;
  const dp = plan.containers.find((c) => c.name === atNode)!.dataplane!;
  // kube-proxy in nftables mode: the walk through table ip kube-proxy (explain-service-nft.ts).
  if (dp.kubeProxyNft)
    return withInboundFirewall(
      explainServiceNft({
        plan,
        from,
        svc,
        port,
        sp,
        ...(host ? { host } : {}),
        ...(srcPod ? { srcPod } : {}),
        srcAddress,
        address,
        dport,
        external,
        ...(viaNode ? { viaNode } : {}),
        atNode,
        node,
        dp,
      }),
    );
  const kube = dp.nat.kubeProxy;
  if (!kube) fail('the lab runs no kube-proxy');
  const steps: string[] = [];
  const visitedText: string[] = [];
  const rule = (r: KubeRule | undefined) => {
    if (!r) return;
    const t = renderKubeSave(r);
    visitedText.push(t);
    steps.push(`${atNode}: ${t}`);
  };
  const isLocal = svc.externalTrafficPolicy === 'Local' && external;
  const local = sp.endpoints.filter((e) => e.node === atNode);
  const candidates = isLocal && host ? local : sp.endpoints;
  steps.push(
    `${from} (${srcAddress}) -> ${address}:${dport}/${proto.toLowerCase()}: PREROUTING on ${atNode}, Calico's hooks first, then "kubernetes service portals" -> KUBE-SERVICES`,
  );
  const jumpsTo = (chain: string) => (r: KubeRule) =>
    r.chain === chain &&
    r.match.some((m) => m.kind === 'dst' && m.cidr === address) &&
    r.match.some((m) => m.kind === 'dport' && m.port === dport);
  let entry = kube.rules.find(jumpsTo('KUBE-SERVICES'));
  if (!entry && viaNode) {
    rule(
      kube.rules.find(
        (r) =>
          r.chain === 'KUBE-SERVICES' &&
          r.action.kind === 'jump' &&
          r.action.target === 'KUBE-NODEPORTS',
      ),
    );
    entry = kube.rules.find(
      (r) =>
        r.chain === 'KUBE-NODEPORTS' && r.match.some((m) => m.kind === 'dport' && m.port === dport),
    );
  }
  rule(entry);
  let marked = false;
  let reason = '';
  if (entry && entry.action.kind === 'jump') {
    const chain = entry.action.target;
    for (const r of kube.rules.filter((x) => x.chain === chain)) {
      // Rules that need a source kind (pod traffic, LOCAL) apply only when the source is one.
      const src = r.match.find((m) => m.kind === 'src');
      const localSrc = r.match.some((m) => m.kind === 'addrtype' && m.dir === 'src');
      if (localSrc) continue; // the node itself is never the sender here
      if (src && src.kind === 'src') {
        const inside = cidrContains(
          src.cidr.includes('/') ? src.cidr : `${src.cidr}/32`,
          srcAddress,
        );
        if (inside === !!src.negate) continue;
      }
      rule(r);
      if (r.action.kind === 'jump' && r.action.target === 'KUBE-MARK-MASQ') {
        marked = true;
        reason = chain.startsWith('KUBE-EXT-')
          ? 'externalTrafficPolicy Cluster: traffic from outside is masqueraded before any endpoint is chosen'
          : lab.kubeProxy?.masqueradeAll
            ? 'masqueradeAll: every packet to a cluster IP is masqueraded'
            : `the source ${srcAddress} is outside kube-proxy's clusterCIDR ${lab.kubeProxy?.clusterCIDR ?? ''}`;
        continue;
      }
      break; // the jump to the dispatching chain
    }
  }
  const ep =
    candidates.find((e) => e.ip === srcAddress) && candidates.length === 1
      ? candidates[0]
      : (candidates.find((e) => e.ip !== srcAddress) ?? candidates[0]);
  let reply = !!ep && !!entry;
  let forward = { ok: reply, reason: '' };
  // kube-proxy's filter table: REJECT (no endpoints) or DROP (no local ones), kube-proxy-filter.ts.
  const filtered = kube.filter?.rules.find(
    (r) =>
      (r.action.kind === 'reject' || r.action.kind === 'drop') &&
      r.match.some((m) => m.kind === 'dport' && m.port === dport) &&
      (r.match.some((m) => m.kind === 'dst' && m.cidr === address) ||
        (viaNode !== undefined && r.match.some((m) => m.kind === 'addrtype'))),
  );
  if (!entry && filtered) {
    steps.push(`${atNode}: filter ${renderKubeSave(filtered)}`);
    forward = {
      ok: false,
      reason:
        filtered.action.kind === 'reject'
          ? `the Service has no endpoints: kube-proxy's ${filtered.chain} REJECTs it (ICMP port unreachable: the client sees "connection refused")`
          : `externalTrafficPolicy Local and no endpoint on ${atNode}: kube-proxy's ${filtered.chain} drops the packet`,
    };
  } else if (!entry)
    forward = {
      ok: false,
      reason: `no kube-proxy rule on ${atNode} catches ${address}:${dport} (no endpoints?)`,
    };
  else if (!ep)
    forward = {
      ok: false,
      reason: isLocal
        ? `externalTrafficPolicy Local and no endpoint on ${atNode}: kube-proxy drops the packet`
        : 'the Service has no endpoints',
    };
  if (ep) {
    steps.push(
      `one of ${candidates.length} endpoint${candidates.length === 1 ? '' : 's'} (probability 1/${candidates.length} each), e.g. ${ep.pod} ${ep.ip}:${ep.port}: KUBE-SEP- DNAT --to-destination ${ep.ip}:${ep.port}`,
    );
    if (ep.ip === srcAddress) {
      marked = true;
      reason = 'the pod reached itself through the Service (hairpin): KUBE-SEP- masquerades it';
    }
    forward = { ok: true, reason: `DNAT to ${ep.pod} on ${ep.node}` };
  }
  reply = forward.ok;
  steps.push(
    "POSTROUTING: Calico's cali-POSTROUTING first; its natOutgoing rule does not match (the destination, after DNAT, is a pod of a pool)",
  );
  const nodeAddress = node.address;
  const seenSource = marked ? nodeAddress : srcAddress;
  steps.push(
    marked
      ? `KUBE-POSTROUTING: the packet carries mark 0x4000 (${reason}): MASQUERADE to ${nodeAddress}`
      : 'KUBE-POSTROUTING: no mark 0x4000: RETURN, the source is kept',
  );
  // As elsewhere in explain: `pod` is the sending pod, or (a host sends) the pod reached.
  const podName = srcPod ? srcPod.pod : (ep?.pod ?? '');
  const podIp = srcPod ? srcPod.address : (ep?.ip ?? '');
  const pool =
    lab.ipPools.find((p) => podIp && cidrContains(p.spec.cidr, podIp)) ?? lab.ipPools[0]!;
  const e: Explanation = {
    pod: podName,
    podAddress: podIp,
    node: srcPod ? srcPod.node : (ep?.node ?? atNode),
    nodeAddress,
    destination: address,
    destinationName: `service/${svc.namespace}/${svc.name}`,
    sourcePool: {
      name: pool.name,
      cidr: pool.spec.cidr,
      natOutgoing: pool.spec.natOutgoing,
      disabled: pool.spec.disabled,
    },
    nat: marked
      ? {
          action: 'masquerade',
          rule: {
            chain: 'KUBE-POSTROUTING',
            index: 2,
            hash: '',
            text: renderKubeSave(kube.rules.find((r) => r.action.kind === 'masquerade')!),
          },
          toSource: nodeAddress,
        }
      : { action: 'none' },
    seenSource,
    seenAs: !reply ? 'address' : marked ? 'node' : srcPod ? 'pod' : 'address',
    forward,
    routeBack: {
      ok: reply,
      reason: reply
        ? `replies go back through ${atNode}'s conntrack entry (un-DNAT${marked ? ', un-SNAT' : ''})`
        : forward.reason,
    },
    reply,
    steps,
    warnings: [],
  };
  if (!host) return e;
  e.source = { name: host.name, address: host.address, kind: 'host' };
  return withInboundFirewall(e);

  // The router's inbound firewall sees the address and port the host sent to (before DNAT).
  function withInboundFirewall(x: Explanation): Explanation {
    return x.source?.kind === 'host'
      ? explainInboundFirewall(plan, x, { protocol, port: dport }, 0)
      : x;
  }
}
