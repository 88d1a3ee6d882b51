// `get` output for policies, network sets and Services. The Calico kinds as calicoctl prints
// them (resourcemgr/*.go headings: NAME TIER, wide NAME TIER ORDER SELECTOR; NAME, wide NAME
// NETS; NAMESPACE first with --all-namespaces; commands/common/printer.go: one resource alone,
// several as a <Kind>List), a Service and a Kubernetes NetworkPolicy as kubectl prints them
// (NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S), wide adds SELECTOR; NAME POD-SELECTOR; several
// as a v1 List). kubectl's AGE column is left out: the lab keeps no creation times.
import { stringify } from 'yaml';
import { tabwrite } from '../../core/calico/format.js';
import type { ResourceKind, ResourceView } from '../../core/changes/resource-views.js';
import { isKubernetesKind } from './resource-kinds.js';

export type ResourceOutput = 'table' | 'wide' | 'yaml' | 'json' | 'name';

function spec(v: ResourceView): Record<string, unknown> {
  return (v.document.spec ?? {}) as Record<string, unknown>;
}

function labelSelector(sel: unknown): string {
  const m = (sel ?? {}) as { matchLabels?: Record<string, string> };
  const s = Object.entries(m.matchLabels ?? (sel as Record<string, string>) ?? {})
    .filter(([, v]) => typeof v === 'string')
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return s || '<none>';
}

function serviceCells(v: ResourceView, wide: boolean): string[] {
  const s = spec(v) as {
    type?: string;
    clusterIP?: string;
    externalIPs?: string[];
    ports?: { port: number; nodePort?: number; protocol?: string }[];
    selector?: Record<string, string>;
  };
  const lb = (
    (v.document.status as { loadBalancer?: { ingress?: { ip?: string }[] } })?.loadBalancer
      ?.ingress ?? []
  ).flatMap((i) => (i.ip ? [i.ip] : []));
  const ext = [...lb, ...(s.externalIPs ?? [])];
  const external = ext.length ? ext.join(',') : s.type === 'LoadBalancer' ? '<pending>' : '<none>';
  const ports = (s.ports ?? [])
    .map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
    .join(',');
  const cells = [v.name, s.type ?? 'ClusterIP', s.clusterIP ?? '', external, ports];
  if (wide) cells.push(labelSelector(s.selector));
  return cells;
}

function cells(kind: ResourceKind, v: ResourceView, wide: boolean): string[] {
  if (kind === 'Service') return serviceCells(v, wide);
  if (kind === 'KubernetesNetworkPolicy') return [v.name, labelSelector(spec(v).podSelector)];
  if (kind === 'NetworkSet' || kind === 'GlobalNetworkSet') {
    const nets = ((spec(v).nets as string[] | undefined) ?? []).join(',');
    return wide ? [v.name, nets.length > 80 ? `${nets.slice(0, 77)}...` : nets] : [v.name];
  }
  const s = spec(v);
  const row = [v.name, String(s.tier ?? 'default')];
  if (wide) row.push(s.order === undefined ? '' : String(s.order), String(s.selector ?? ''));
  return row;
}

function headings(kind: ResourceKind, wide: boolean): string[] {
  if (kind === 'Service')
    return ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', ...(wide ? ['SELECTOR'] : [])];
  if (kind === 'KubernetesNetworkPolicy') return ['NAME', 'POD-SELECTOR'];
  if (kind === 'NetworkSet' || kind === 'GlobalNetworkSet')
    return wide ? ['NAME', 'NETS'] : ['NAME'];
  return wide ? ['NAME', 'TIER', 'ORDER', 'SELECTOR'] : ['NAME', 'TIER'];
}

function listOf(kind: ResourceKind, items: readonly ResourceView[]): Record<string, unknown> {
  if (isKubernetesKind(kind))
    return {
      apiVersion: 'v1',
      items: items.map((v) => v.document),
      kind: 'List',
      metadata: { resourceVersion: '' },
    };
  return {
    apiVersion: 'projectcalico.org/v3',
    items: items.map((v) => v.document),
    kind: `${kind}List`,
    metadata: {},
  };
}

export function formatResourceViews(
  kind: ResourceKind,
  items: readonly ResourceView[],
  output: ResourceOutput,
  opts: { single: boolean; allNamespaces: boolean },
): string {
  const wide = output === 'wide';
  switch (output) {
    case 'name':
      return items
        .map(
          (v) =>
            `${kind === 'KubernetesNetworkPolicy' ? 'networkpolicy.networking.k8s.io' : kind.toLowerCase()}/${v.name}\n`,
        )
        .join('');
    case 'json': {
      const value = opts.single && items.length === 1 ? items[0]!.document : listOf(kind, items);
      return JSON.stringify(value, null, 2) + '\n';
    }
    case 'yaml': {
      const value = opts.single && items.length === 1 ? items[0]!.document : listOf(kind, items);
      return stringify(value, { indentSeq: false, lineWidth: 0 });
    }
    default: {
      const ns = opts.allNamespaces && !['GlobalNetworkPolicy', 'GlobalNetworkSet'].includes(kind);
      const head = headings(kind, wide);
      const rows = items.map((v) => cells(kind, v, wide));
      if (!items.length && isKubernetesKind(kind)) return '';
      return tabwrite(
        ns
          ? [['NAMESPACE', ...head], ...rows.map((r, i) => [items[i]!.namespace ?? '', ...r])]
          : [head, ...rows],
      );
    }
  }
}
