// The policies, network sets and Services of a lab as `get` and the Resources screen show them:
// each with its document (as written for the Calico kinds, as `kubectl get svc -o yaml` prints
// a Service), a summary (order, selector, pods selected; type, addresses, endpoints), and
// `patchedSource`, a merge patch (calicoctl/kubectl `patch -p`) turned into a document to apply
// through the same validation as `apply -f`.
import { stringify } from 'yaml';
import { LabInputError } from '../errors.js';
import { workloadLabels } from '../calico/endpoints.js';
import { matchesSelector } from '../calico/selector.js';
import type { LabSource } from '../lab-file/source.js';
import { mergePatch } from '../lab-file/pool-patch.js';
import type { Lab } from '../model/lab.js';
import type { NetworkSet, Policy } from '../model/policy.js';
import { serviceEndpoints } from '../plan/kube-proxy.js';
import type { LabPlan } from '../plan/types.js';
import { serviceDocument, serviceKey, serviceNotFound } from './service-changes.js';

export const RESOURCE_KINDS = [
  'NetworkPolicy',
  'GlobalNetworkPolicy',
  'KubernetesNetworkPolicy',
  'NetworkSet',
  'GlobalNetworkSet',
  'Service',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export interface ResourceView {
  kind: ResourceKind;
  namespace?: string;
  /** metadata.name as written (a Kubernetes NetworkPolicy's own name). */
  name: string;
  /** What delete and patch take: "namespace/name" for the namespaced kinds. */
  ref: string;
  document: Record<string, unknown>;
  order?: number;
  selector?: string;
  /** Pods of the lab the policy applies to. */
  selects?: number;
  nets?: string[];
  type?: string;
  /** A Service's cluster IP, external IPs and LoadBalancer addresses. */
  addresses?: string[];
  /** A Service's endpoints, "pod ip:port". */
  endpoints?: string[];
}

function written(r: Policy | NetworkSet): Record<string, unknown> {
  if (r.document) return r.document;
  // A lab recorded before documents travelled with the resources.
  throw new LabInputError([
    {
      kind: r.kind,
      name: r.name,
      message:
        'this running lab has no copy of the resource as written (it was started by an older egress-lab): apply it again with apply -f',
    },
  ]);
}

function policyView(lab: Lab, p: Policy, labels: Record<string, string>[]): ResourceView {
  const name = p.k8sName ?? p.name;
  const v: ResourceView = {
    kind: p.kind,
    name,
    ref: p.namespace ? `${p.namespace}/${name}` : name,
    document: p.document ?? {},
    selector: p.selector,
    selects: labels.filter((l) => matchesSelector(p.selector, l)).length,
  };
  if (p.namespace) v.namespace = p.namespace;
  if (p.order !== undefined) v.order = p.order;
  return v;
}

/** Every policy, network set and Service of the planned lab. */
export function resourceViews(plan: LabPlan): ResourceView[] {
  const lab = plan.lab;
  const labels = lab.pods.map((p) => workloadLabels(lab, p));
  const out: ResourceView[] = (lab.policies ?? []).map((p) => policyView(lab, p, labels));
  for (const s of lab.networkSets ?? []) {
    const v: ResourceView = {
      kind: s.kind,
      name: s.name,
      ref: s.namespace ? `${s.namespace}/${s.name}` : s.name,
      document: s.document ?? {},
      nets: s.nets,
    };
    if (s.namespace) v.namespace = s.namespace;
    out.push(v);
  }
  const eps = lab.services?.length ? serviceEndpoints(lab, plan.ipam) : [];
  for (const s of lab.services ?? []) {
    const mine = eps.filter((e) => e.service === s);
    out.push({
      kind: 'Service',
      namespace: s.namespace,
      name: s.name,
      ref: serviceKey(s),
      document: serviceDocument(s) as unknown as Record<string, unknown>,
      type: s.type,
      addresses: [s.clusterIP, ...s.externalIPs, ...s.loadBalancerIPs],
      endpoints: [
        ...new Set(mine.flatMap((e) => e.endpoints.map((x) => `${x.pod} ${x.ip}:${x.port}`))),
      ],
    });
  }
  return out;
}

function sameRef(v: ResourceView, kind: ResourceKind, ref: string): boolean {
  if (v.kind !== kind) return false;
  if (!v.namespace) return v.name === ref;
  return v.ref === (ref.includes('/') ? ref : `default/${ref}`);
}

/** The document of one resource (`ref`: "namespace/name", or a name in "default"). */
export function resourceDocument(
  lab: Lab,
  kind: ResourceKind,
  ref: string,
): Record<string, unknown> {
  if (kind === 'Service') {
    const key = ref.includes('/') ? ref : `default/${ref}`;
    const s = (lab.services ?? []).find((x) => serviceKey(x) === key);
    if (!s) throw new LabInputError([{ kind, name: ref, message: serviceNotFound(ref) }]);
    return serviceDocument(s) as unknown as Record<string, unknown>;
  }
  const views: { kind: ResourceKind; r: Policy | NetworkSet; v: ResourceView }[] = [
    ...(lab.policies ?? []).map((r) => ({ kind: r.kind, r, v: policyView(lab, r, []) })),
    ...(lab.networkSets ?? []).map((r) => ({
      kind: r.kind,
      r,
      v: {
        kind: r.kind,
        name: r.name,
        ref: r.namespace ? `${r.namespace}/${r.name}` : r.name,
        ...(r.namespace ? { namespace: r.namespace } : {}),
        document: {},
      } as ResourceView,
    })),
  ];
  const hit = views.find((x) => sameRef(x.v, kind, ref));
  // libcalico-go/lib/errors/errors.go: "resource does not exist: Kind(name) with error: <nil>"
  if (!hit)
    throw new LabInputError([
      { kind, name: ref, message: `resource does not exist: ${kind}(${ref}) with error: <nil>` },
    ]);
  return written(hit.r);
}

/**
 * The resource after an RFC 7386 merge patch (`patch KIND NAME -p JSON`), as a document to
 * apply: its validation is apply's, positioned in this text (file "patch KIND/NAME").
 */
export function patchedSource(
  lab: Lab,
  kind: ResourceKind,
  ref: string,
  patch: unknown,
): LabSource {
  const doc = resourceDocument(lab, kind, ref);
  const bad = (message: string) => new LabInputError([{ kind, name: ref, message }]);
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    throw bad(
      `a merge patch must be a JSON object like {"spec":{…}}, got ${JSON.stringify(patch)}`,
    );
  const next = mergePatch(doc, patch) as Record<string, unknown>;
  const meta = (x: Record<string, unknown>) => (x.metadata ?? {}) as Record<string, unknown>;
  for (const f of ['name', 'namespace'] as const)
    if (meta(next)[f] !== meta(doc)[f])
      throw bad(`metadata.${f} cannot be changed by a patch (delete and create instead)`);
  if (next.kind !== doc.kind || next.apiVersion !== doc.apiVersion)
    throw bad('kind and apiVersion cannot be changed by a patch');
  return { file: `patch ${kind}/${ref}`, text: stringify(next, { lineWidth: 0 }) };
}
