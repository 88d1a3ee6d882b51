// What the Resources screen lists and offers: the lab's resources grouped into policies,
// network sets and Services, and a skeleton of each kind for "New".
import type { ResourceView } from '../lib/api/types.js';

export function groupViews(views: readonly ResourceView[]): {
  policies: ResourceView[];
  sets: ResourceView[];
  services: ResourceView[];
} {
  return {
    policies: views.filter((v) => v.kind.endsWith('NetworkPolicy')),
    sets: views.filter((v) => v.kind.endsWith('NetworkSet')),
    services: views.filter((v) => v.kind === 'Service'),
  };
}

export const SKELETONS = {
  GlobalNetworkPolicy: `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: new-policy
spec:
  order: 100
  selector: app == 'web'
  types: [Egress]
  egress:
    - action: Allow
      destination:
        nets: [203.0.113.0/24]
`,
  NetworkPolicy: `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: new-policy
  namespace: default
spec:
  selector: app == 'web'
  types: [Egress]
  egress:
    - action: Allow
`,
  GlobalNetworkSet: `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: new-set
  labels: { role: external }
spec:
  nets: [198.51.100.0/24]
`,
  Service: `apiVersion: v1
kind: Service
metadata:
  name: new-service
  namespace: default
spec:
  type: NodePort
  selector: { app: web }
  ports:
    - { port: 80, targetPort: 8080 }
`,
} as const;
