// Calico's validation of NetworkPolicy, GlobalNetworkPolicy, NetworkSet and GlobalNetworkSet
// (libcalico-go/lib/validator/v3/validator.go: validateRule, validateNetworkPolicySpec,
// validateAction, validatePolicyType, validateProtocol, validateSelector), then their v1 form as
// Felix receives it (lib/backend/syncersv1/updateprocessors/networkpolicyprocessor.go, rules.go,
// networksetprocessor.go). Messages are calicoctl's ("error with field X = 'v' (reason)").
// Fields inside rules the lab cannot follow are refused, saying so, never ignored.
import type { CalicoFieldError, FieldPath } from './field-error.js';
import { tagReason } from './field-error.js';
import { validateObjectMeta, selectorTagError } from './metadata.js';
import { dns1123LabelProblems } from './names.js';
import {
  entitySelectorV1,
  LABEL_NAMESPACE,
  namespaceSelectorV1,
  policySelectorV1,
} from './policy-selectors.js';
import { validateSelector } from './selector.js';
import { cidrToString, parseCidrOrIP } from '../net/cidr.js';
import type {
  NetworkSet,
  Policy,
  PolicyAction,
  PolicyRule,
  PolicyType,
  PortRange,
  RuleEnd,
  RuleProtocol,
} from '../model/policy.js';

export const DEFAULT_TIER = 'default';
const PROTOCOL_PORTS_MSG = 'rules that specify ports must set protocol to TCP or UDP or SCTP';
const PROTOCOL_ICMP_MSG = 'rules that specify ICMP fields must set protocol to ICMP';
const GLOBAL_SELECTOR_ENT_RULE = 'global() can only be used in an EntityRule namespaceSelector';
const PROTOCOL_NAMES: Record<string, RuleProtocol> = {
  TCP: 'TCP',
  UDP: 'UDP',
  ICMP: 'ICMP',
  ICMPv6: 'ICMPv6',
  SCTP: 'SCTP',
  UDPLite: 'UDPLite',
};

export interface EntityRuleInput {
  nets?: string[];
  notNets?: string[];
  selector?: string;
  notSelector?: string;
  namespaceSelector?: string;
  ports?: (number | string)[];
  notPorts?: (number | string)[];
  serviceAccounts?: unknown;
  services?: unknown;
}

export interface RuleInput {
  action: string;
  protocol?: number | string;
  notProtocol?: number | string;
  icmp?: { type?: number; code?: number };
  notICMP?: unknown;
  ipVersion?: number;
  source?: EntityRuleInput;
  destination?: EntityRuleInput;
  http?: unknown;
  metadata?: unknown;
}

export interface PolicySpecInput {
  order?: number;
  tier?: string;
  selector?: string;
  types?: string[];
  ingress?: RuleInput[];
  egress?: RuleInput[];
  namespaceSelector?: string;
}

export interface ResourceMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function notModelled(path: FieldPath, name: string, what: string): CalicoFieldError {
  return { name, reason: `not modelled by the lab: ${what}`, path };
}

function parseProtocol(
  v: number | string | undefined,
  path: FieldPath,
  errors: CalicoFieldError[],
): RuleProtocol | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' || /^[0-9]+$/.test(v)) {
    const n = Number(v);
    if (n < 1 || n > 255) {
      errors.push({ name: 'Protocol', value: n, reason: 'protocol number invalid', path });
      return undefined;
    }
    return n;
  }
  // numorstring.ProtocolFromString: the lower-case spelling is accepted too.
  const name = Object.keys(PROTOCOL_NAMES).find((k) => k === v || k.toLowerCase() === v);
  if (name) return PROTOCOL_NAMES[name];
  errors.push({ name: 'Protocol', value: v, reason: 'protocol name invalid', path });
  return undefined;
}

/** numorstring.Port: 80, "80", "8000:8080"; a named port cannot match (pods declare none). */
function parsePorts(
  ports: (number | string)[] | undefined,
  field: string,
  path: FieldPath,
  errors: CalicoFieldError[],
): PortRange[] {
  const out: PortRange[] = [];
  (ports ?? []).forEach((p, i) => {
    const at = [...path, i];
    const text = String(p);
    const m = /^([0-9]+)(?::([0-9]+))?$/.exec(text);
    if (!m) {
      errors.push(
        notModelled(at, field, `named port ${JSON.stringify(text)} (lab pods declare no ports)`),
      );
      return;
    }
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (first > 65535 || last > 65535 || first > last) {
      errors.push({ name: field, value: text, reason: 'invalid port range', path: at });
      return;
    }
    out.push({ first, last });
  });
  return out;
}

function parseNets(
  nets: string[] | undefined,
  field: string,
  path: FieldPath,
  errors: CalicoFieldError[],
): string[] {
  const out: string[] = [];
  (nets ?? []).forEach((n, i) => {
    const c = parseCidrOrIP(n);
    if (!c) {
      errors.push({ name: field, value: n, reason: 'invalid CIDR', path: [...path, i] });
      return;
    }
    out.push(cidrToString(c)); // NormalizeIPNets: host bits masked
  });
  return out;
}

function checkSelector(
  sel: string | undefined,
  field: string,
  path: FieldPath,
  errors: CalicoFieldError[],
): boolean {
  if (sel === undefined || sel === '') return true;
  if (validateSelector(sel)) {
    errors.push(selectorTagError(field, sel, path));
    return false;
  }
  return true;
}

function entityRule(
  e: EntityRuleInput | undefined,
  side: 'Source' | 'Destination',
  path: FieldPath,
  ns: string,
  errors: CalicoFieldError[],
): RuleEnd {
  const x = e ?? {};
  if (x.serviceAccounts !== undefined)
    errors.push(
      notModelled([...path, 'serviceAccounts'], `${side}.ServiceAccounts`, 'service accounts'),
    );
  if (x.services !== undefined)
    errors.push(notModelled([...path, 'services'], `${side}.Services`, 'Kubernetes services'));
  const ok =
    checkSelector(x.selector, 'Selector', [...path, 'selector'], errors) &&
    checkSelector(x.notSelector, 'NotSelector', [...path, 'notSelector'], errors) &&
    checkSelector(x.namespaceSelector, 'NamespaceSelector', [...path, 'namespaceSelector'], errors);
  const end: RuleEnd = {
    nets: parseNets(x.nets, `${side}.Nets`, [...path, 'nets'], errors),
    notNets: parseNets(x.notNets, `${side}.NotNets`, [...path, 'notNets'], errors),
    ports: parsePorts(x.ports, `${side}.Ports`, [...path, 'ports'], errors),
    notPorts: parsePorts(x.notPorts, `${side}.NotPorts`, [...path, 'notPorts'], errors),
  };
  if (ok) {
    const sel = entitySelectorV1(x.namespaceSelector, x.selector, x.notSelector, ns);
    if (sel) end.selector = sel;
    if (x.notSelector) end.notSelector = x.notSelector;
  }
  return end;
}

const PORT_PROTOCOLS = new Set<RuleProtocol>(['TCP', 'UDP', 'SCTP', 6, 17, 132]);

function rule(r: RuleInput, path: FieldPath, ns: string, errors: CalicoFieldError[]): PolicyRule {
  if (!/^(Allow|Deny|Log|Pass)$/.test(r.action))
    errors.push({
      name: 'Action',
      value: r.action,
      reason: tagReason('Action', 'action'),
      path: [...path, 'action'],
    });
  if (r.http !== undefined)
    errors.push(notModelled([...path, 'http'], 'HTTP', 'application layer (HTTP) policy'));
  if (r.notICMP !== undefined)
    errors.push(notModelled([...path, 'notICMP'], 'NotICMP', 'notICMP matches'));
  if (r.ipVersion !== undefined && r.ipVersion !== 4 && r.ipVersion !== 6)
    errors.push({
      name: 'IPVersion',
      value: r.ipVersion,
      reason: tagReason('IPVersion', 'ipVersion'),
      path: [...path, 'ipVersion'],
    });
  const protocol = parseProtocol(r.protocol, [...path, 'protocol'], errors);
  const notProtocol = parseProtocol(r.notProtocol, [...path, 'notProtocol'], errors);
  const source = entityRule(r.source, 'Source', [...path, 'source'], ns, errors);
  const destination = entityRule(
    r.destination,
    'Destination',
    [...path, 'destination'],
    ns,
    errors,
  );
  const portsOk = protocol !== undefined && PORT_PROTOCOLS.has(protocol);
  for (const [end, side, key] of [
    [source, 'Source', 'source'],
    [destination, 'Destination', 'destination'],
  ] as const) {
    for (const [list, f, k] of [
      [end.ports, 'Ports', 'ports'],
      [end.notPorts, 'NotPorts', 'notPorts'],
    ] as const) {
      if (list.length && !portsOk)
        errors.push({
          name: `${side}.${f}`,
          value: list.map((p) => (p.first === p.last ? `${p.first}` : `${p.first}:${p.last}`)),
          reason: PROTOCOL_PORTS_MSG,
          path: [...path, key, k],
        });
    }
  }
  if (r.icmp && protocol !== 'ICMP' && protocol !== 1 && protocol !== 'ICMPv6' && protocol !== 58)
    errors.push({ name: 'ICMP', reason: PROTOCOL_ICMP_MSG, path: [...path, 'icmp'] });
  // The CRD's CEL rules (policy_common.go): ICMP belongs to IPv4, ICMPv6 to IPv6.
  for (const [p, key] of [
    [protocol, 'protocol'],
    [notProtocol, 'notProtocol'],
  ] as const) {
    if ((p === 'ICMP' || p === 1) && r.ipVersion !== undefined && r.ipVersion !== 4)
      errors.push({
        name: 'Protocol',
        reason: 'protocol ICMP requires ipVersion 4',
        path: [...path, key],
      });
    if ((p === 'ICMPv6' || p === 58) && r.ipVersion !== undefined && r.ipVersion !== 6)
      errors.push({
        name: 'Protocol',
        reason: 'protocol ICMPv6 requires ipVersion 6',
        path: [...path, key],
      });
  }
  // validator.go: nets of the other version than the rule's ipVersion.
  if (r.ipVersion === 4 || r.ipVersion === 6)
    for (const [nets, key] of [
      [source.nets, ['source', 'nets']],
      [source.notNets, ['source', 'notNets']],
      [destination.nets, ['destination', 'nets']],
      [destination.notNets, ['destination', 'notNets']],
    ] as const)
      if (nets.some((n) => n.includes(':') !== (r.ipVersion === 6)))
        errors.push({
          name: key.join('.'),
          reason: "rule IP version doesn't match CIDR version",
          path: [...path, ...key],
        });
  const out: PolicyRule = { action: r.action as PolicyAction, source, destination };
  if (protocol !== undefined) out.protocol = protocol;
  if (notProtocol !== undefined) out.notProtocol = notProtocol;
  if (r.icmp) out.icmp = { ...r.icmp };
  if (r.ipVersion === 4 || r.ipVersion === 6) out.ipVersion = r.ipVersion;
  return out;
}

/** libcalico-go's defaultPolicyTypesField: Ingress unless only egress rules are given. */
function defaultTypes(ingress: unknown[], egress: unknown[]): PolicyType[] {
  if (egress.length === 0) return ['Ingress'];
  if (ingress.length === 0) return ['Egress'];
  return ['Ingress', 'Egress'];
}

export function validatePolicy(
  kind: 'NetworkPolicy' | 'GlobalNetworkPolicy',
  meta: ResourceMeta,
  spec: PolicySpecInput,
): { policy?: Policy; errors: CalicoFieldError[] } {
  const errors = validateObjectMeta(meta.name, meta.labels, meta.annotations);
  const namespaced = kind === 'NetworkPolicy';
  const ns = namespaced ? (meta.namespace ?? 'default') : '';
  if (namespaced)
    for (const p of dns1123LabelProblems(ns))
      errors.push({
        name: 'Metadata.Namespace',
        value: ns,
        reason: p,
        path: ['metadata', 'namespace'],
      });
  if (spec.tier !== undefined && spec.tier !== DEFAULT_TIER)
    errors.push(
      notModelled(['spec', 'tier'], 'Spec.Tier', 'tiers other than "default" (no Tier resources)'),
    );
  const selector = spec.selector ?? '';
  if (
    checkSelector(selector, 'Selector', ['spec', 'selector'], errors) &&
    selector.includes('global()')
  )
    errors.push({
      name: `${kind}Spec.Selector`,
      value: selector,
      reason: GLOBAL_SELECTOR_ENT_RULE,
      path: ['spec', 'selector'],
    });
  checkSelector(spec.namespaceSelector, 'NamespaceSelector', ['spec', 'namespaceSelector'], errors);
  const types: PolicyType[] = [];
  (spec.types ?? []).forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') {
      errors.push({
        name: 'Types',
        value: t,
        reason: tagReason('Types', 'policyType'),
        path: ['spec', 'types', i],
      });
    } else if (types.includes(t)) {
      errors.push({
        name: `${kind}Spec.Types`,
        value: spec.types,
        reason: `'${t}' type specified more than once`,
        path: ['spec', 'types', i],
      });
    } else types.push(t);
  });
  const ingress = (spec.ingress ?? []).map((r, i) => rule(r, ['spec', 'ingress', i], ns, errors));
  const egress = (spec.egress ?? []).map((r, i) => rule(r, ['spec', 'egress', i], ns, errors));
  if (errors.length) return { errors };
  let sel = policySelectorV1(selector, namespaced ? ns : undefined);
  if (!namespaced && spec.namespaceSelector) {
    const nsSel = namespaceSelectorV1(spec.namespaceSelector);
    sel = sel ? `(${sel}) && (${nsSel})` : nsSel;
  }
  const policy: Policy = {
    kind,
    name: meta.name,
    id: namespaced ? `${ns}/${meta.name}` : meta.name,
    tier: DEFAULT_TIER,
    selector: sel || 'all()',
    types: spec.types?.length ? types : defaultTypes(spec.ingress ?? [], spec.egress ?? []),
    ingress,
    egress,
  };
  if (namespaced) policy.namespace = ns;
  if (spec.order !== undefined) policy.order = spec.order;
  return { policy, errors };
}

export function validateNetworkSet(
  kind: 'NetworkSet' | 'GlobalNetworkSet',
  meta: ResourceMeta,
  spec: { nets?: string[] },
): { networkSet?: NetworkSet; errors: CalicoFieldError[] } {
  const errors = validateObjectMeta(meta.name, meta.labels, meta.annotations);
  const nets = parseNets(spec.nets, 'Spec.Nets', ['spec', 'nets'], errors);
  if (errors.length) return { errors };
  const labels = { ...(meta.labels ?? {}) };
  const set: NetworkSet = { kind, name: meta.name, labels, nets };
  if (kind === 'NetworkSet') {
    set.namespace = meta.namespace ?? 'default';
    labels[LABEL_NAMESPACE] = set.namespace;
  }
  return { networkSet: set, errors };
}
