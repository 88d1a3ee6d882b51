// Kubernetes `v1` Services changed on a running lab (`apply -f`, `create`, `replace`,
// `delete -f`, `patch service`): the applied documents are validated by the same code as the lab
// file's spec.services (lab-file/lab-services.ts, the API server's words), positioned in what was
// applied, against the Services the lab already has. As the API server does on an update
// (kubernetes pkg/registry/core/service/storage/storage.go, patchAllocatedValues), a Service
// replaced without a clusterIP or nodePort keeps the ones it was given, and Calico's
// kube-controllers keep its LoadBalancer address; a written clusterIP that differs is refused
// (pkg/apis/core/validation/validation.go: "may not change once set").
import type { FieldPath } from '../calico/field-error.js';
import { formatFieldPath } from '../calico/field-error.js';
import { asWarning, type Problem } from '../errors.js';
import { createLabContext, type LabSpec } from '../lab-file/lab-context.js';
import { buildKubeProxy, buildServices } from '../lab-file/lab-services.js';
import { serviceSchema, type ServiceDocument } from '../lab-file/service-schemas.js';
import type { ServiceEntry } from '../lab-file/entries.js';
import { locate } from '../lab-file/source.js';
import { zodIssuesToProblems } from '../lab-file/zod-problems.js';
import type { Lab } from '../model/lab.js';
import type { LabService } from '../model/service.js';

export type { ServiceEntry };

/** "namespace/name", the key a Service is known by. */
export function serviceKey(s: { name: string; namespace?: string }): string {
  return `${s.namespace ?? 'default'}/${s.name}`;
}

/** "namespace/name" of an applied Service document (before validation). */
export function serviceEntryName(e: ServiceEntry): string {
  const md = e.value.metadata as { name?: unknown; namespace?: unknown } | undefined;
  const ns = typeof md?.namespace === 'string' ? md.namespace : 'default';
  return `${ns}/${String(e.name ?? md?.name ?? '')}`;
}

/** A Service as `kubectl get svc NAME -o yaml` prints it (allocated values written out). */
export function serviceDocument(s: LabService): ServiceDocument {
  const spec: ServiceDocument['spec'] = {
    type: s.type,
    clusterIP: s.clusterIP,
    clusterIPs: [s.clusterIP],
    ports: s.ports.map((p) => ({
      ...(p.name ? { name: p.name } : {}),
      protocol: p.protocol,
      port: p.port,
      targetPort: p.targetPort,
      ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
    })),
    internalTrafficPolicy: s.internalTrafficPolicy,
    sessionAffinity: s.sessionAffinity,
  };
  if (Object.keys(s.selector).length) spec.selector = { ...s.selector };
  if (s.externalIPs.length) spec.externalIPs = [...s.externalIPs];
  if (s.type !== 'ClusterIP' || s.externalIPs.length)
    spec.externalTrafficPolicy = s.externalTrafficPolicy;
  if (s.sessionAffinity === 'ClientIP')
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: s.sessionAffinityTimeout } };
  const doc: ServiceDocument = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace },
    spec,
  };
  if (s.loadBalancerIPs.length)
    doc.status = { loadBalancer: { ingress: s.loadBalancerIPs.map((ip) => ({ ip })) } };
  return doc;
}

/** The applied document with what the API server keeps on an update filled in from `old`. */
function keepAllocated(d: ServiceDocument, old: LabService): ServiceDocument {
  const type = d.spec.type ?? 'ClusterIP';
  const spec = { ...d.spec };
  if (spec.clusterIP === undefined && spec.clusterIPs === undefined) spec.clusterIP = old.clusterIP;
  const external = type === 'NodePort' || type === 'LoadBalancer';
  if (external)
    spec.ports = spec.ports.map((p) => {
      if (p.nodePort !== undefined) return p;
      const same = old.ports.find(
        (o) => o.port === p.port && o.protocol === (p.protocol ?? 'TCP') && o.nodePort,
      );
      return same ? { ...p, nodePort: same.nodePort } : p;
    });
  const out: ServiceDocument = { ...d, spec };
  const asked =
    spec.loadBalancerIP !== undefined ||
    d.metadata.annotations?.['projectcalico.org/loadBalancerIPs'] !== undefined ||
    (d.status?.loadBalancer?.ingress?.length ?? 0) > 0;
  if (type === 'LoadBalancer' && !asked && old.loadBalancerIPs.length)
    out.status = { loadBalancer: { ingress: old.loadBalancerIPs.map((ip) => ({ ip })) } };
  return out;
}

export interface AppliedServices {
  services: LabService[];
  problems: Problem[];
  warnings: Problem[];
  kubeProxy: Lab['kubeProxy'];
}

/**
 * The lab's Services with `entries` created or replaced (by namespace and name), validated as
 * the lab file's are. Problems and warnings about the applied documents are positioned in them.
 */
export function applyServices(lab: Lab, entries: readonly ServiceEntry[]): AppliedServices {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const existing = lab.services ?? [];
  const docs: ServiceDocument[] = existing.map(serviceDocument);
  // Which applied entry each document index came from (undefined: the lab's own).
  const from: (ServiceEntry | undefined)[] = existing.map(() => undefined);
  const seen = new Set<string>();
  for (const e of entries) {
    const parsed = serviceSchema.safeParse(e.value);
    if (!parsed.success) {
      problems.push(
        ...zodIssuesToProblems(parsed.error.issues, {
          pd: e.pd,
          basePath: e.basePath,
          kind: 'Service',
          name: e.name,
          schema: serviceSchema,
          data: e.value,
        }),
      );
      continue;
    }
    const d = parsed.data;
    const key = serviceKey(d.metadata);
    const at = (path: FieldPath, message: string): Problem => ({
      position: locate(e.pd, [...e.basePath, ...path]),
      kind: 'Service',
      name: d.metadata.name,
      field: formatFieldPath(path),
      message,
    });
    if (seen.has(key)) {
      problems.push(
        at(
          ['metadata', 'name'],
          `duplicate name: Service(${key}) appears twice in what is applied`,
        ),
      );
      continue;
    }
    seen.add(key);
    const i = existing.findIndex((s) => serviceKey(s) === key);
    if (i < 0) {
      docs.push(d);
      from.push(e);
      continue;
    }
    const old = existing[i]!;
    const written = d.spec.clusterIP ?? d.spec.clusterIPs?.[0];
    if (written !== undefined && written !== old.clusterIP) {
      problems.push(
        at(
          ['spec', d.spec.clusterIP !== undefined ? 'clusterIP' : 'clusterIPs'],
          `Invalid value: ${JSON.stringify(written)}: may not change once set (the Service has ${old.clusterIP})`,
        ),
      );
      continue;
    }
    docs[i] = keepAllocated(d, old);
    from[i] = e;
  }
  if (problems.length) return { services: existing, problems, warnings, kubeProxy: lab.kubeProxy };

  const report = (out: Problem[]) => (path: FieldPath, message: string) => {
    // path: ["spec", "services", i, ...field]
    const i = path[2] as number;
    const rest = path.slice(3);
    const e = from[i];
    const d = docs[i]!;
    out.push({
      ...(e ? { position: locate(e.pd, [...e.basePath, ...rest]) } : {}),
      kind: 'Service',
      name: e ? d.metadata.name : serviceKey(d.metadata),
      field: formatFieldPath(rest),
      message,
    });
  };
  const ctx = createLabContext({ services: docs } as unknown as LabSpec, report(problems));
  const kubeProxy = lab.kubeProxy ?? buildKubeProxy(ctx);
  // The lab's own Services were checked when it started: their warnings are already the lab's.
  const warned: Problem[] = [];
  const services = buildServices(ctx, lab.pods, lab.ipPools, kubeProxy, report(warned));
  for (const w of warned) if (w.position) warnings.push(asWarning(w));
  warnings.push(...staleExpectations(lab, existing, services, from, docs));
  if (!lab.kubeProxy && lab.felixConfiguration.spec.nftablesMode === 'Enabled' && entries[0])
    problems.push({
      position: locate(entries[0].pd, entries[0].basePath),
      kind: 'Service',
      name: entries[0].name,
      message:
        "Services need kube-proxy's iptables mode beside Felix's iptables dataplane in the lab: with nftablesMode Enabled Calico expects kube-proxy in nftables mode, which the lab does not model",
    });
  return { services, problems, warnings, kubeProxy };
}

/**
 * `expect` entries through a Service are resolved when the lab starts (address and port): a
 * Service changed live no longer matches them, and `check` still probes what the file said.
 */
function staleExpectations(
  lab: Lab,
  before: readonly LabService[],
  after: readonly LabService[],
  from: readonly (ServiceEntry | undefined)[],
  docs: readonly ServiceDocument[],
): Problem[] {
  const out: Problem[] = [];
  docs.forEach((d, i) => {
    const e = from[i];
    if (!e) return;
    const key = serviceKey(d.metadata);
    const old = before.find((s) => serviceKey(s) === key);
    const now = after.find((s) => serviceKey(s) === key);
    if (!old || JSON.stringify(old) === JSON.stringify(now)) return;
    const uses = lab.expect.filter(
      (x) => x.service && `${x.service.namespace}/${x.service.name}` === key,
    );
    if (uses.length)
      out.push({
        position: locate(e.pd, e.basePath),
        kind: 'Service',
        name: d.metadata.name,
        severity: 'warning',
        message: `${uses.length} expect entr${uses.length === 1 ? 'y goes' : 'ies go'} through service/${d.metadata.name}, resolved when the lab started (${uses.map((x) => `${x.service!.address}:${x.service!.port}`).join(', ')}): check still probes that, as the lab file says, not the Service as changed`,
      });
  });
  return out;
}

/** The lab without Service `name` ("namespace/name", or a name in "default"); undefined if absent. */
export function withoutService(lab: Lab, name: string): Lab | undefined {
  const key = name.includes('/') ? name : `default/${name}`;
  const services = lab.services ?? [];
  if (!services.some((s) => serviceKey(s) === key)) return undefined;
  const rest = services.filter((s) => serviceKey(s) !== key);
  const next: Lab = { ...lab };
  if (rest.length) next.services = rest;
  else delete next.services;
  return next;
}

/** Kubernetes' NotFound for a Service (kubectl: `services "NAME" not found`). */
export function serviceNotFound(name: string): string {
  const bare = name.includes('/') ? name.split('/')[1]! : name;
  return `services "${bare}" not found`;
}
