// Service addresses a node advertises over BGP, as Calico's confd computes them (confd
// pkg/backends/calico/client.go updateGlobalRoutes and routes.go, v3.30): every node announces
// the ranges of BGPConfiguration serviceClusterIPs / serviceExternalIPs / serviceLoadBalancerIPs
// (and keeps learned routes inside them out of its kernel: "rejectcidrs"); a node also announces
// the /32s of a Service with externalTrafficPolicy Local when one of its endpoints runs there
// (the cluster IP if cluster IPs are advertised, the allowed external and LoadBalancer IPs),
// and of a Cluster-policy Service whose LoadBalancer or external IP is itself a /32 in the list.
import type { Lab, LabNode } from '../model/lab.js';
import type { LabService } from '../model/service.js';
import { cidrContains } from '../net/cidr.js';
import type { ServicePortEndpoints } from './kube-proxy.js';

export interface ServiceRoutes {
  /** `route X blackhole` in BIRD's static protocol, exported to the peers. */
  staticRoutes: string[];
  /** Kept out of the kernel (learned or static): the configured ranges. */
  rejectCidrs: string[];
}

export function nodeServiceRoutes(
  lab: Lab,
  node: LabNode,
  ports: readonly ServicePortEndpoints[],
): ServiceRoutes {
  const cfg = lab.bgpConfiguration.spec;
  const clusterRanges = cfg.serviceClusterIPs ?? [];
  const externalRanges = cfg.serviceExternalIPs ?? [];
  const lbRanges = cfg.serviceLoadBalancerIPs ?? [];
  const global = [...clusterRanges, ...externalRanges, ...lbRanges];
  const statics = [...global];
  const inAny = (ranges: readonly string[], ip: string) => ranges.some((r) => cidrContains(r, ip));
  const local = (s: LabService) =>
    ports.some((p) => p.service === s && p.endpoints.some((e) => e.node === node.name));
  for (const s of lab.services ?? []) {
    // routes.go advertiseThisService
    let advertise = false;
    if (s.externalTrafficPolicy === 'Cluster') {
      if (
        s.type === 'LoadBalancer' &&
        s.loadBalancerIPs.some((ip) => lbRanges.includes(`${ip}/32`))
      )
        advertise = true;
      if (s.externalIPs.some((ip) => externalRanges.includes(`${ip}/32`))) advertise = true;
    } else advertise = local(s);
    if (!advertise) continue;
    // routes.go getAllRoutesForService
    const routes: string[] = [];
    if (clusterRanges.length) routes.push(s.clusterIP);
    for (const ip of s.externalIPs) if (inAny(externalRanges, ip)) routes.push(ip);
    for (const ip of s.loadBalancerIPs) if (inAny(lbRanges, ip)) routes.push(ip);
    for (const r of routes) if (!statics.includes(`${r}/32`)) statics.push(`${r}/32`);
  }
  return { staticRoutes: [...new Set(statics)], rejectCidrs: [...new Set(global)] };
}
