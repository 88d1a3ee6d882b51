// Services (`spec.services`, Kubernetes `v1` Services) and kube-proxy (`spec.kubeProxy`): the API
// server's checks in its own words (pkg/apis/core/validation: "Unsupported value", "provided port
// is not in the valid range"), its allocations done in order (cluster IPs from the service range,
// node ports from 30000-32767), and LoadBalancer addresses as Calico's kube-controllers assign
// them: from an IPPool with allowedUses [LoadBalancer] (calico kube-controllers
// pkg/controllers/loadbalancer), or the `projectcalico.org/loadBalancerIPs` annotation.
// Endpoints come later from the pods (plan/kube-proxy.ts); a selector matching no pod, or pods
// not serving the target port, is a warning here, as `kubectl get endpoints` would show it empty.
import type { FieldPath } from '../calico/field-error.js';
import { dns1123LabelProblems } from '../calico/names.js';
import type { IPPool } from '../model/calico.js';
import type { LabPod } from '../model/lab.js';
import type {
  KubeProxyConfig,
  LabService,
  LabServicePort,
  TrafficPolicy,
} from '../model/service.js';
import { cidrContains, intToIp, isIPv4, parseCidr4 } from '../net/cidr.js';
import type { LabContext } from './lab-context.js';

export const DEFAULT_SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/12';
export const NODE_PORT_RANGE = { min: 30000, max: 32767 };
export const CALICO_LB_IPS_ANNOTATION = 'projectcalico.org/loadBalancerIPs';
const DEFAULT_AFFINITY_TIMEOUT = 10800; // v1.DefaultClientIPServiceAffinitySeconds

type Warn = (path: FieldPath, message: string) => void;

const quoted = (v: readonly string[]) => v.map((x) => JSON.stringify(x)).join(', ');
const unsupported = (v: string, ok: readonly string[]) =>
  `Unsupported value: ${JSON.stringify(v)}: supported values: ${quoted(ok)}`;

function validCidr(text: string): boolean {
  try {
    parseCidr4(text);
    return /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(text);
  } catch {
    return false;
  }
}

export function buildKubeProxy(ctx: LabContext): KubeProxyConfig | undefined {
  const k = ctx.spec.kubeProxy;
  const P = ctx.problem;
  if (!k && !(ctx.spec.services ?? []).length) return undefined;
  const path: FieldPath = ['spec', 'kubeProxy'];
  const mode = k?.mode ?? 'iptables';
  if (mode === 'ipvs') {
    P(
      [...path, 'mode'],
      `kube-proxy mode ipvs is not modelled: the lab renders kube-proxy's iptables and nftables modes (mode: iptables or nftables)`,
    );
  } else if (mode !== 'iptables' && mode !== 'nftables')
    P([...path, 'mode'], unsupported(mode, ['iptables', 'ipvs', 'nftables']));
  if (k?.clusterCIDR !== undefined && !validCidr(k.clusterCIDR))
    P([...path, 'clusterCIDR'], `invalid CIDR address: ${k.clusterCIDR}`);
  const range = k?.serviceClusterIPRange ?? DEFAULT_SERVICE_CLUSTER_IP_RANGE;
  if (!validCidr(range)) P([...path, 'serviceClusterIPRange'], `invalid CIDR address: ${range}`);
  const out: KubeProxyConfig = {
    mode: mode === 'nftables' ? 'nftables' : 'iptables',
    masqueradeAll: k?.masqueradeAll ?? false,
    serviceClusterIPRange: range,
  };
  if (k?.clusterCIDR !== undefined) out.clusterCIDR = k.clusterCIDR;
  return out;
}

/** What kube-proxy does with a Service without endpoints, in the lab's rendering of its mode. */
function noEndpointsNote(k: KubeProxyConfig): string {
  return k.mode === 'nftables'
    ? 'kube-proxy REJECTs its traffic: no-endpoint-services / no-endpoint-nodeports goto reject-chain'
    : 'kube-proxy REJECTs its traffic in the filter table: KUBE-SERVICES / KUBE-EXTERNAL-SERVICES, connection refused';
}

function parseLbAnnotation(text: string): string[] | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The pools Calico's LoadBalancer IPAM hands addresses from. */
export function loadBalancerPools(pools: readonly IPPool[]): IPPool[] {
  return pools.filter(
    (p) =>
      p.spec.allowedUses.includes('LoadBalancer') && !p.spec.disabled && !p.spec.cidr.includes(':'),
  );
}

export function buildServices(
  ctx: LabContext,
  pods: readonly LabPod[],
  pools: readonly IPPool[],
  kubeProxy: KubeProxyConfig | undefined,
  warnLab: Warn,
): LabService[] {
  const P = ctx.problem;
  const docs = ctx.spec.services ?? [];
  if (!docs.length || !kubeProxy) return [];
  const range = validCidr(kubeProxy.serviceClusterIPRange)
    ? kubeProxy.serviceClusterIPRange
    : DEFAULT_SERVICE_CLUSTER_IP_RANGE;
  const usedIPs = new Set<string>();
  const usedNodePorts = new Set<number>();
  const usedLbIPs = new Set<string>();
  const names = new Set<string>();
  // Written values first, so allocation never takes one a later Service asks for.
  for (const d of docs) {
    if (d.spec.clusterIP) usedIPs.add(d.spec.clusterIP);
    for (const p of d.spec.ports) if (p.nodePort !== undefined) usedNodePorts.add(p.nodePort);
  }
  const lbPools = loadBalancerPools(pools);
  const services: LabService[] = [];
  docs.forEach((d, i) => {
    const path: FieldPath = ['spec', 'services', i];
    // Warnings point into this Service, as its errors do.
    const warn: Warn = (p, m) => warnLab([...path, ...p], m);
    const sp = d.spec;
    let ok = true;
    const E = (p: FieldPath, m: string) => {
      P([...path, ...p], m);
      ok = false;
    };
    if (d.apiVersion !== undefined && d.apiVersion !== 'v1')
      E(
        ['apiVersion'],
        `apiVersion must be "v1" for a Service, got ${JSON.stringify(d.apiVersion)}`,
      );
    if (d.kind !== undefined && d.kind !== 'Service')
      E(['kind'], `kind must be "Service" here, got ${JSON.stringify(d.kind)}`);
    const name = d.metadata.name;
    const namespace = d.metadata.namespace ?? 'default';
    for (const m of dns1123LabelProblems(name))
      E(['metadata', 'name'], `Invalid value: ${JSON.stringify(name)}: ${m}`);
    for (const m of dns1123LabelProblems(namespace))
      E(['metadata', 'namespace'], `Invalid value: ${JSON.stringify(namespace)}: ${m}`);
    if (names.has(`${namespace}/${name}`))
      E(['metadata', 'name'], `services "${name}" already exists in namespace ${namespace}`);
    names.add(`${namespace}/${name}`);

    const type = sp.type ?? 'ClusterIP';
    if (type === 'ExternalName')
      E(
        ['spec', 'type'],
        'not modelled: ExternalName Services (a DNS alias; kube-proxy writes no rules for them)',
      );
    else if (type !== 'ClusterIP' && type !== 'NodePort' && type !== 'LoadBalancer')
      E(
        ['spec', 'type'],
        unsupported(type, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']),
      );
    const external = type === 'NodePort' || type === 'LoadBalancer';

    for (const f of sp.ipFamilies ?? [])
      if (f !== 'IPv4')
        E(
          ['spec', 'ipFamilies'],
          `not modelled: ipFamilies ${f} (the lab's Services are IPv4 only)`,
        );
    if (sp.ipFamilyPolicy !== undefined && sp.ipFamilyPolicy !== 'SingleStack')
      warn(
        ['spec', 'ipFamilyPolicy'],
        `not modelled: ipFamilyPolicy ${sp.ipFamilyPolicy} — the Service gets an IPv4 cluster IP only`,
      );

    // Cluster IP: written, or the lowest free address of the range (the API server picks at random).
    let clusterIP = sp.clusterIP ?? sp.clusterIPs?.[0];
    if (clusterIP === 'None') {
      E(
        ['spec', 'clusterIP'],
        'not modelled: headless Services (clusterIP None; kube-proxy writes no rules for them)',
      );
    } else if (clusterIP !== undefined) {
      if (!isIPv4(clusterIP))
        E(
          ['spec', 'clusterIP'],
          `Invalid value: ${JSON.stringify(clusterIP)}: must be a valid IP address`,
        );
      else if (!cidrContains(range, clusterIP))
        E(
          ['spec', 'clusterIP'],
          `Invalid value: ${JSON.stringify(clusterIP)}: failed to allocate IP ${clusterIP}: the provided IP (${clusterIP}) is not in the valid range. The range of valid IPs is ${range}`,
        );
      else if (services.some((s) => s.clusterIP === clusterIP))
        E(
          ['spec', 'clusterIP'],
          `Invalid value: ${JSON.stringify(clusterIP)}: failed to allocate IP ${clusterIP}: provided IP is already allocated`,
        );
    } else {
      const c = parseCidr4(range);
      for (let n = c.base + 1; n < c.base + 2 ** (32 - c.prefix) - 1; n++) {
        const ip = intToIp(n >>> 0);
        if (!usedIPs.has(ip)) {
          clusterIP = ip;
          usedIPs.add(ip);
          break;
        }
      }
    }

    const ports: LabServicePort[] = [];
    const seenPorts = new Set<string>();
    sp.ports.forEach((p, j) => {
      const pp: FieldPath = ['spec', 'ports', j];
      const protocol = p.protocol ?? 'TCP';
      if (protocol === 'SCTP')
        E([...pp, 'protocol'], 'not modelled: SCTP (the lab serves TCP and UDP)');
      else if (protocol !== 'TCP' && protocol !== 'UDP')
        E([...pp, 'protocol'], unsupported(protocol, ['SCTP', 'TCP', 'UDP']));
      if (sp.ports.length > 1 && !p.name) E([...pp, 'name'], 'Required value');
      if (p.port < 1 || p.port > 65535)
        E([...pp, 'port'], `Invalid value: ${p.port}: must be between 1 and 65535, inclusive`);
      const key = `${protocol}/${p.port}`;
      if (seenPorts.has(key))
        E([...pp], `Duplicate value: {"port":${p.port},"protocol":"${protocol}"}`);
      seenPorts.add(key);
      let targetPort = p.port;
      if (typeof p.targetPort === 'string') {
        if (/^\d+$/.test(p.targetPort)) targetPort = Number(p.targetPort);
        else
          E(
            [...pp, 'targetPort'],
            `not modelled: named targetPort ${JSON.stringify(p.targetPort)} (the lab's pods declare port numbers only)`,
          );
      } else if (p.targetPort !== undefined) targetPort = p.targetPort;
      if (targetPort < 1 || targetPort > 65535)
        E(
          [...pp, 'targetPort'],
          `Invalid value: ${targetPort}: must be between 1 and 65535, inclusive`,
        );
      let nodePort = p.nodePort;
      if (nodePort !== undefined && !external)
        E([...pp, 'nodePort'], `Forbidden: may not be used when \`type\` is '${type}'`);
      else if (
        nodePort !== undefined &&
        (nodePort < NODE_PORT_RANGE.min || nodePort > NODE_PORT_RANGE.max)
      )
        E(
          [...pp, 'nodePort'],
          `Invalid value: ${nodePort}: provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`,
        );
      else if (
        nodePort !== undefined &&
        services.some((s) => s.ports.some((x) => x.nodePort === nodePort))
      )
        E([...pp, 'nodePort'], `Invalid value: ${nodePort}: provided port is already allocated`);
      else if (
        nodePort === undefined &&
        external &&
        !(type === 'LoadBalancer' && sp.allocateLoadBalancerNodePorts === false)
      ) {
        for (let n = NODE_PORT_RANGE.min; n <= NODE_PORT_RANGE.max; n++)
          if (!usedNodePorts.has(n)) {
            nodePort = n;
            usedNodePorts.add(n);
            break;
          }
      }
      const port: LabServicePort = {
        name: p.name ?? '',
        protocol: protocol === 'UDP' ? 'UDP' : 'TCP',
        port: p.port,
        targetPort,
      };
      if (nodePort !== undefined) port.nodePort = nodePort;
      ports.push(port);
    });

    const policy = (field: 'externalTrafficPolicy' | 'internalTrafficPolicy'): TrafficPolicy => {
      const v = sp[field];
      if (v === undefined) return 'Cluster';
      if (v !== 'Cluster' && v !== 'Local') {
        E(['spec', field], unsupported(v, ['Cluster', 'Local']));
        return 'Cluster';
      }
      return v;
    };
    const externalIPs = sp.externalIPs ?? [];
    externalIPs.forEach((ip, j) => {
      if (!isIPv4(ip))
        E(
          ['spec', 'externalIPs', j],
          `Invalid value: ${JSON.stringify(ip)}: must be a valid IP address`,
        );
    });
    const externalTrafficPolicy = policy('externalTrafficPolicy');
    if (sp.externalTrafficPolicy !== undefined && !external && !externalIPs.length)
      E(
        ['spec', 'externalTrafficPolicy'],
        `Invalid value: ${JSON.stringify(sp.externalTrafficPolicy)}: may only be set for externally-accessible services`,
      );
    const internalTrafficPolicy = policy('internalTrafficPolicy');

    const sessionAffinity = sp.sessionAffinity ?? 'None';
    if (sessionAffinity !== 'None' && sessionAffinity !== 'ClientIP')
      E(['spec', 'sessionAffinity'], unsupported(sessionAffinity, ['ClientIP', 'None']));
    const timeout = sp.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT;
    if (timeout < 1 || timeout > 86400)
      E(
        ['spec', 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds'],
        `Invalid value: ${timeout}: must be greater than 0 and less than 86400`,
      );

    if (sp.loadBalancerSourceRanges?.length)
      warn(
        ['spec', 'loadBalancerSourceRanges'],
        'not modelled: loadBalancerSourceRanges — no KUBE-FW- chain is rendered; every source reaches the Service',
      );
    if (sp.healthCheckNodePort !== undefined)
      warn(
        ['spec', 'healthCheckNodePort'],
        'not modelled: healthCheckNodePort — no health check server runs on the nodes',
      );
    if (sp.loadBalancerClass !== undefined)
      warn(
        ['spec', 'loadBalancerClass'],
        `not modelled: loadBalancerClass — the lab assigns LoadBalancer addresses as Calico's kube-controllers do`,
      );

    // LoadBalancer address: status, spec.loadBalancerIP, Calico's annotation, else the pool's lowest free.
    const loadBalancerIPs: string[] = [];
    if (type === 'LoadBalancer') {
      const ann = d.metadata.annotations?.[CALICO_LB_IPS_ANNOTATION];
      let wanted: { ips: string[]; at: FieldPath } | undefined;
      const ingress = (d.status?.loadBalancer?.ingress ?? []).flatMap((x) => (x.ip ? [x.ip] : []));
      if (ann !== undefined) {
        const parsed = parseLbAnnotation(ann);
        if (!parsed)
          E(
            ['metadata', 'annotations', CALICO_LB_IPS_ANNOTATION],
            `${CALICO_LB_IPS_ANNOTATION} must be a JSON list of addresses, e.g. '["198.51.100.10"]'`,
          );
        else wanted = { ips: parsed, at: ['metadata', 'annotations', CALICO_LB_IPS_ANNOTATION] };
      } else if (sp.loadBalancerIP)
        wanted = { ips: [sp.loadBalancerIP], at: ['spec', 'loadBalancerIP'] };
      else if (ingress.length) wanted = { ips: ingress, at: ['status', 'loadBalancer', 'ingress'] };
      if (wanted) {
        for (const ip of wanted.ips) {
          if (!isIPv4(ip))
            E(wanted.at, `Invalid value: ${JSON.stringify(ip)}: must be a valid IP address`);
          else if (!lbPools.some((p) => cidrContains(p.spec.cidr, ip)))
            E(
              wanted.at,
              `LoadBalancer address ${ip} is in no IPPool with allowedUses [LoadBalancer] (${lbPools.map((p) => `${p.name} ${p.spec.cidr}`).join(', ') || 'there is none'}): Calico's kube-controllers would not assign it`,
            );
          else if (usedLbIPs.has(ip))
            E(wanted.at, `LoadBalancer address ${ip} is already assigned to another Service`);
          else {
            usedLbIPs.add(ip);
            loadBalancerIPs.push(ip);
          }
        }
      } else if (!lbPools.length) {
        warn(
          ['spec', 'type'],
          'no IPPool has allowedUses [LoadBalancer]: Calico assigns this Service no address (EXTERNAL-IP stays <pending>), so only its node ports and cluster IP work',
        );
      } else {
        const ip = freeAddress(lbPools, usedLbIPs, docs);
        if (ip) {
          usedLbIPs.add(ip);
          loadBalancerIPs.push(ip);
        } else
          warn(['spec', 'type'], 'the LoadBalancer pools are full: the Service gets no address');
      }
    }

    const selector = sp.selector ?? {};
    if (!Object.keys(selector).length) {
      warn(
        ['spec'],
        'not modelled: a Service without selector (its endpoints would be written by hand): it has no endpoints',
      );
    } else if (ok) {
      const chosen = pods.filter(
        (p) =>
          p.namespace === namespace &&
          Object.entries(selector).every(([k, v]) => p.labels[k] === v),
      );
      const sel = Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      if (!chosen.length)
        warn(
          ['spec', 'selector'],
          `selector ${sel} matches no pod in namespace ${namespace}: the Service has no endpoints (${noEndpointsNote(kubeProxy)})`,
        );
      else
        ports.forEach((p, j) => {
          const serving = chosen.filter((pod) =>
            (p.protocol === 'UDP' ? pod.udpPorts : pod.tcpPorts)?.includes(p.targetPort),
          );
          if (!serving.length)
            warn(
              ['spec', 'ports', j, 'targetPort'],
              `no pod selected by ${sel} serves ${p.protocol.toLowerCase()}/${p.targetPort} (add it to the pods' ${p.protocol === 'UDP' ? 'udpPorts' : 'tcpPorts'}): connections get no answer`,
            );
        });
    }

    if (!ok || clusterIP === undefined) return;
    services.push({
      name,
      namespace,
      type: type as LabService['type'],
      clusterIP,
      selector,
      ports,
      externalIPs,
      loadBalancerIPs,
      externalTrafficPolicy,
      internalTrafficPolicy,
      sessionAffinity: sessionAffinity as LabService['sessionAffinity'],
      sessionAffinityTimeout: timeout,
    });
  });
  return services;
}

function freeAddress(
  pools: readonly IPPool[],
  used: Set<string>,
  docs: readonly { spec: { loadBalancerIP?: string } }[],
): string | undefined {
  const asked = new Set(
    docs.flatMap((d) => (d.spec.loadBalancerIP ? [d.spec.loadBalancerIP] : [])),
  );
  for (const pool of pools) {
    const c = parseCidr4(pool.spec.cidr);
    const size = 2 ** (32 - c.prefix);
    for (let n = 0; n < size; n++) {
      const ip = intToIp((c.base + n) >>> 0);
      if (!used.has(ip) && !asked.has(ip)) return ip;
    }
  }
  return undefined;
}
