// `expect` entries whose destination is a Service (`to: service/NAME`, `via` one of its addresses):
// from a host (through a NodePort at a node's address, the LoadBalancer address or an external
// IP) or from a pod (the cluster IP by default). The probe is TCP or UDP to the Service's port;
// the endpoint's echo server answers with the source it saw, which `seenAs` describes.
import type { FieldPath } from '../calico/field-error.js';
import type { LabExpectation, LabHost, LabNode, LabPod, SeenAs } from '../model/lab.js';
import type { LabService, ServiceTarget } from '../model/service.js';
import { parseIP } from '../net/cidr.js';
import type { LabContext } from './lab-context.js';
import { deniedExpectation } from './expect-denied.js';

type ExpectDoc = NonNullable<LabContext['spec']['expect']>[number];

function resolve(
  ctx: LabContext,
  x: ExpectDoc,
  path: FieldPath,
  services: readonly LabService[],
  nodes: readonly LabNode[],
  fromHost: boolean,
): ServiceTarget | undefined {
  const P = ctx.problem;
  const ref = x.to.slice('service/'.length);
  const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
  const matches = services.filter(
    (s) => s.name === name && (ns === undefined || s.namespace === ns),
  );
  if (matches.length !== 1) {
    P(
      [...path, 'to'],
      matches.length
        ? `service/${ref} is ambiguous: write service/NAMESPACE/NAME`
        : `service/${ref} is not a Service of this lab (Services: ${services.map((s) => `${s.namespace}/${s.name}`).join(', ') || 'none'})`,
    );
    return undefined;
  }
  const s = matches[0]!;
  const protocol = x.protocol ?? 'icmp';
  if (protocol === 'icmp') {
    P([...path, 'protocol'], 'a Service is probed with tcp or udp (its port), not icmp');
    return undefined;
  }
  const port = s.ports.find((p) => p.protocol === protocol.toUpperCase());
  if (!port) {
    P(
      [...path, 'protocol'],
      `Service ${s.namespace}/${s.name} has no ${protocol.toUpperCase()} port`,
    );
    return undefined;
  }
  const via =
    x.via ??
    (fromHost ? (s.loadBalancerIPs.length ? 'loadBalancer' : (nodes[0]?.name ?? '')) : 'clusterIP');
  const base = { name: s.name, namespace: s.namespace };
  if (via === 'clusterIP') return { ...base, via, address: s.clusterIP, port: port.port };
  if (via === 'loadBalancer') {
    if (!s.loadBalancerIPs.length) {
      P([...path, 'via'], `Service ${s.namespace}/${s.name} has no LoadBalancer address`);
      return undefined;
    }
    return { ...base, via, address: s.loadBalancerIPs[0]!, port: port.port };
  }
  if (via === 'externalIP') {
    if (!s.externalIPs.length) {
      P([...path, 'via'], `Service ${s.namespace}/${s.name} has no externalIPs`);
      return undefined;
    }
    return { ...base, via, address: s.externalIPs[0]!, port: port.port };
  }
  const node = nodes.find((n) => n.name === via);
  if (!node) {
    P(
      [...path, 'via'],
      `via must be clusterIP, loadBalancer, externalIP or a node name (for the NodePort), got ${JSON.stringify(via)}`,
    );
    return undefined;
  }
  if (port.nodePort === undefined) {
    P([...path, 'via'], `Service ${s.namespace}/${s.name} has no NodePort (type ${s.type})`);
    return undefined;
  }
  return { ...base, via: 'nodePort', node: node.name, address: node.address, port: port.nodePort };
}

/** The Service entries of `expect`, by their index in the file. */
export function buildServiceExpectations(
  ctx: LabContext,
  services: readonly LabService[],
  nodes: readonly LabNode[],
  pods: readonly LabPod[],
  hosts: readonly LabHost[],
): Map<number, LabExpectation> {
  const out = new Map<number, LabExpectation>();
  const P = ctx.problem;
  (ctx.spec.expect ?? []).forEach((x, i) => {
    if (!x.to.startsWith('service/')) return;
    const path: FieldPath = ['spec', 'expect', i];
    const fromHost = hosts.some((h) => h.name === x.from);
    if (!fromHost && !pods.some((p) => p.name === x.from)) {
      P(
        [...path, 'from'],
        `from: ${JSON.stringify(x.from)} is neither a pod nor a host of this lab`,
      );
      return;
    }
    if (x.port !== undefined)
      P([...path, 'port'], 'port comes from the Service (its port, or NodePort with via: NODE)');
    if (x.allowed === false) {
      // From a host: the router's inbound firewall drops it before any node (check-service.ts
      // proves it at the router). From a pod: policy drops are proved at the pod's veth
      // (check-denied.ts), and a Service's DNAT on the way there is not.
      if (!fromHost) {
        P(
          [...path, 'allowed'],
          'allowed: false for Service entries (to: service/…) is modelled from hosts only (the perimeter firewall’s Inbound rules)',
        );
        return;
      }
      if (deniedExpectation(x, path, P) !== 'denied') return;
      const target = resolve(ctx, x, path, services, nodes, fromHost);
      if (!target) return;
      out.set(i, {
        from: x.from,
        to: x.to,
        protocol: x.protocol === 'udp' ? 'udp' : 'tcp',
        port: target.port,
        seenAs: 'pod',
        reply: false,
        service: target,
        allowed: false,
      });
      return;
    }
    if (x.seenAs === undefined || x.reply === undefined) {
      P(path, `${x.seenAs === undefined ? 'seenAs' : 'reply'} is required`);
      return;
    }
    const target = resolve(ctx, x, path, services, nodes, fromHost);
    let seenAs: SeenAs | undefined;
    if (x.seenAs === 'node' || x.seenAs === 'pod') seenAs = x.seenAs;
    else {
      const ip = parseIP(x.seenAs);
      if (ip && ip.kind() === 'ipv4') seenAs = { address: ip.toString() };
      else
        P(
          [...path, 'seenAs'],
          `seenAs must be "node", "pod" or an IPv4 address, got ${JSON.stringify(x.seenAs)}`,
        );
    }
    if (!target || !seenAs) return;
    out.set(i, {
      from: x.from,
      to: x.to,
      protocol: x.protocol === 'udp' ? 'udp' : 'tcp',
      port: target.port,
      seenAs,
      reply: x.reply,
      service: target,
    });
  });
  return out;
}

/** The file's order: Service entries at their index, the others in turn (valid files only). */
export function mergeExpectations(
  count: number,
  others: readonly LabExpectation[],
  byIndex: Map<number, LabExpectation>,
): LabExpectation[] {
  const out: LabExpectation[] = [];
  let k = 0;
  for (let i = 0; i < count; i++) {
    const s = byIndex.get(i);
    if (s) out.push(s);
    else if (k < others.length) out.push(others[k++]!);
  }
  return out;
}
