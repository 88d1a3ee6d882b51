// Kubernetes Services in the lab (`spec.services`, each a `v1` Service as `kubectl get svc -o yaml`
// prints it) and the kube-proxy every node runs (`spec.kubeProxy`), validated and defaulted.
// Endpoints are not written in the file: they are the pods the selector picks that serve the
// target port, as the EndpointSlice controller would list them (plan/kube-proxy.ts).

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';
export type TrafficPolicy = 'Cluster' | 'Local';

export interface LabServicePort {
  name: string; // "" when the Service has one unnamed port
  protocol: 'TCP' | 'UDP';
  port: number;
  targetPort: number; // defaults to port
  nodePort?: number; // NodePort and LoadBalancer: allocated from 30000-32767 when left out
}

export interface LabService {
  name: string;
  namespace: string;
  type: ServiceType;
  clusterIP: string; // allocated from kubeProxy.serviceClusterIPRange when left out
  selector: Record<string, string>;
  ports: LabServicePort[];
  externalIPs: string[];
  /** LoadBalancer: the ingress address (Calico's LoadBalancer IPAM from a LoadBalancer pool). */
  loadBalancerIPs: string[];
  externalTrafficPolicy: TrafficPolicy; // Cluster unless written (only with NodePort/LoadBalancer/externalIPs)
  internalTrafficPolicy: TrafficPolicy; // Cluster
  sessionAffinity: 'None' | 'ClientIP';
  /** sessionAffinityConfig.clientIP.timeoutSeconds, default 10800 (kube-proxy's StickyMaxAgeSeconds). */
  sessionAffinityTimeout: number;
}

/** kube-proxy's configuration (KubeProxyConfiguration) as far as the lab models it. */
export interface KubeProxyConfig {
  /** iptables (the default) or nftables (table `ip kube-proxy`, plan/kube-proxy-nft.ts). */
  mode: 'iptables' | 'nftables';
  /** --cluster-cidr: traffic from outside it to a cluster IP is masqueraded (detect-local ClusterCIDR). */
  clusterCIDR?: string;
  /** --masquerade-all: every packet to a cluster IP is masqueraded. */
  masqueradeAll: boolean;
  /** The API server's --service-cluster-ip-range (default 10.96.0.0/12). */
  serviceClusterIPRange: string;
}

/** An `expect` entry's Service destination (`to: service/NAME`), resolved to what the probe hits. */
export interface ServiceTarget {
  name: string;
  namespace: string;
  /** clusterIP (from a pod), nodePort (at `node`'s address), loadBalancer, externalIP. */
  via: 'clusterIP' | 'nodePort' | 'loadBalancer' | 'externalIP';
  node?: string;
  address: string;
  port: number;
}
