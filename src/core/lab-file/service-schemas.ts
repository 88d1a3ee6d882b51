// The Lab document's `services` (each a Kubernetes `v1` Service, as `kubectl get svc -o yaml`
// prints it) and `kubeProxy` (the part of KubeProxyConfiguration the lab models). Structure only:
// values are checked in lab-services.ts with the API server's words.
import { z } from 'zod';

const labels = z.record(z.string(), z.string());
const ignored = z.unknown().optional();

const serviceMeta = z.strictObject({
  name: z.string(),
  namespace: z.string().optional(),
  labels: labels.optional(),
  annotations: labels.optional(),
  // Set by the API server; accepted and ignored.
  uid: ignored,
  resourceVersion: ignored,
  generation: ignored,
  creationTimestamp: ignored,
  managedFields: ignored,
});

const servicePort = z.strictObject({
  name: z.string().optional(),
  protocol: z.string().optional(),
  port: z.number().int(),
  targetPort: z.union([z.number().int(), z.string()]).optional(),
  nodePort: z.number().int().optional(),
  appProtocol: ignored,
});

export const serviceSchema = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: serviceMeta,
  spec: z.strictObject({
    type: z.string().optional(),
    clusterIP: z.string().optional(),
    clusterIPs: z.array(z.string()).optional(),
    selector: labels.optional(),
    ports: z.array(servicePort).min(1),
    externalIPs: z.array(z.string()).optional(),
    loadBalancerIP: z.string().optional(),
    loadBalancerSourceRanges: z.array(z.string()).optional(),
    externalTrafficPolicy: z.string().optional(),
    internalTrafficPolicy: z.string().optional(),
    sessionAffinity: z.string().optional(),
    sessionAffinityConfig: z
      .strictObject({
        clientIP: z.strictObject({ timeoutSeconds: z.number().int().optional() }).optional(),
      })
      .optional(),
    ipFamilies: z.array(z.string()).optional(),
    ipFamilyPolicy: z.string().optional(),
    allocateLoadBalancerNodePorts: z.boolean().optional(),
    healthCheckNodePort: z.number().int().optional(),
    publishNotReadyAddresses: z.boolean().optional(),
    loadBalancerClass: z.string().optional(),
  }),
  status: z
    .strictObject({
      loadBalancer: z
        .strictObject({
          ingress: z
            .array(z.strictObject({ ip: z.string().optional(), ipMode: ignored }))
            .optional(),
        })
        .optional(),
      conditions: ignored,
    })
    .optional(),
});

export const kubeProxySchema = z.strictObject({
  mode: z.string().optional(),
  clusterCIDR: z.string().optional(),
  masqueradeAll: z.boolean().optional(),
  serviceClusterIPRange: z.string().optional(),
});

/** BGPConfiguration serviceClusterIPs / serviceExternalIPs / serviceLoadBalancerIPs. */
export const serviceIPBlocks = z.array(z.strictObject({ cidr: z.string() }));

export type ServiceDocument = z.infer<typeof serviceSchema>;
