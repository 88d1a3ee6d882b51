// A Kubernetes NetworkPolicy (networking.k8s.io/v1) as Calico sees it: converted the way
// libcalico-go/lib/backend/k8s/conversion/conversion.go does (K8sNetworkPolicyToCalico,
// k8sRuleToCalico, k8sPeerToCalicoFields, k8sSelectorToCalico): name "knp.default.<name>",
// order 1000, selectors with `projectcalico.org/orchestrator == 'k8s'`, one Allow rule per
// protocol and peer; Types Ingress unless policyTypes says otherwise. Then validated like a
// Calico NetworkPolicy (calico/policy.ts).
import type { CalicoFieldError } from './field-error.js';
import {
  validatePolicy,
  type EntityRuleInput,
  type ResourceMeta,
  type RuleInput,
} from './policy.js';
import type { Policy } from '../model/policy.js';

export const K8S_POLICY_PREFIX = 'knp.default.';
const K8S_ORDER = 1000;

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface Port {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}
export interface K8sPolicySpecInput {
  podSelector?: LabelSelector;
  policyTypes?: string[];
  ingress?: { from?: Peer[]; ports?: Port[] }[];
  egress?: { to?: Peer[]; ports?: Port[] }[];
}

function selectorToCalico(s: LabelSelector | undefined, pod: boolean): string {
  const parts: string[] = pod ? ["projectcalico.org/orchestrator == 'k8s'"] : [];
  if (!s) return parts.join(' && ');
  if (!pod && !s.matchLabels && !s.matchExpressions?.length) return 'all()';
  if (!pod && Object.keys(s.matchLabels ?? {}).length === 0 && !s.matchExpressions?.length)
    return 'all()';
  for (const k of Object.keys(s.matchLabels ?? {}).sort())
    parts.push(`${k} == '${s.matchLabels![k]}'`);
  for (const e of s.matchExpressions ?? []) {
    const list = (e.values ?? []).join("', '");
    if (e.operator === 'In') parts.push(`${e.key} in { '${list}' }`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} not in { '${list}' }`);
    else if (e.operator === 'Exists') parts.push(`has(${e.key})`);
    else if (e.operator === 'DoesNotExist') parts.push(`! has(${e.key})`);
  }
  return parts.join(' && ');
}

function peerFields(peer: Peer | undefined): EntityRuleInput {
  if (!peer) return {};
  if (peer.ipBlock) {
    const out: EntityRuleInput = { nets: [peer.ipBlock.cidr] };
    if (peer.ipBlock.except?.length) out.notNets = [...peer.ipBlock.except];
    return out;
  }
  const out: EntityRuleInput = {};
  const sel = selectorToCalico(peer.podSelector, true);
  const nsSel = selectorToCalico(peer.namespaceSelector, false);
  if (sel) out.selector = sel;
  if (nsSel) out.namespaceSelector = nsSel;
  return out;
}

function convertRules(peers: Peer[] | undefined, ports: Port[] | undefined, ingress: boolean) {
  const byProtocol = new Map<string, (number | string)[] | undefined>();
  const portList: (Port | undefined)[] = ports?.length ? ports : [undefined];
  for (const p of portList) {
    if (!p) {
      byProtocol.clear();
      byProtocol.set('', undefined);
      break;
    }
    const proto = p.protocol ?? 'TCP';
    const calicoPort =
      p.port === undefined
        ? undefined
        : p.endPort !== undefined
          ? `${p.port}:${p.endPort}`
          : p.port;
    if (calicoPort === undefined) byProtocol.set(proto, undefined);
    else if (!byProtocol.has(proto) || byProtocol.get(proto)!.length > 0)
      byProtocol.set(proto, [...(byProtocol.get(proto) ?? []), calicoPort]);
  }
  const rules: RuleInput[] = [];
  const peerList: (Peer | undefined)[] = peers?.length ? peers : [undefined];
  for (const proto of [...byProtocol.keys()].sort()) {
    const calicoPorts = byProtocol.get(proto);
    for (const peer of peerList) {
      const fields = peerFields(peer);
      const r: RuleInput = { action: 'Allow' };
      if (proto) r.protocol = proto;
      if (ingress) {
        r.source = fields;
        if (calicoPorts?.length) r.destination = { ports: calicoPorts };
      } else {
        r.destination = calicoPorts?.length ? { ...fields, ports: calicoPorts } : fields;
      }
      rules.push(r);
    }
  }
  return rules;
}

export function convertK8sNetworkPolicy(
  meta: ResourceMeta,
  spec: K8sPolicySpecInput,
): { policy?: Policy; errors: CalicoFieldError[] } {
  const errors: CalicoFieldError[] = [];
  (spec.policyTypes ?? []).forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress')
      errors.push({
        name: 'spec.policyTypes',
        value: t,
        reason: 'Unsupported value: supported values: "Ingress", "Egress"',
        path: ['spec', 'policyTypes', i],
      });
  });
  if (errors.length) return { errors };
  const ingress = (spec.ingress ?? []).flatMap((r) => convertRules(r.from, r.ports, true));
  const egress = (spec.egress ?? []).flatMap((r) => convertRules(r.to, r.ports, false));
  const hasIngress = spec.policyTypes?.includes('Ingress') ?? false;
  const hasEgress = spec.policyTypes?.includes('Egress') ?? false;
  const types: string[] = [];
  if (hasIngress) types.push('Ingress');
  if (hasEgress) types.push('Egress');
  if (types.length === 0) types.push('Ingress');
  const r = validatePolicy(
    'NetworkPolicy',
    { ...meta, name: `${K8S_POLICY_PREFIX}${meta.name}` },
    {
      order: K8S_ORDER,
      selector: selectorToCalico(spec.podSelector, true),
      types,
      ingress,
      egress,
    },
  );
  if (!r.policy) {
    // Paths point into the converted policy: the k8s resource has no such fields; name them.
    return {
      errors: r.errors.map((e) =>
        e.path[0] === 'spec'
          ? { ...e, path: ['spec'], reason: `${e.reason} (after conversion to Calico)` }
          : e,
      ),
    };
  }
  return {
    policy: { ...r.policy, kind: 'KubernetesNetworkPolicy', k8sName: meta.name },
    errors: [],
  };
}
