// Selector text as libcalico-go's v1 conversion builds it for Felix
// (lib/backend/syncersv1/updateprocessors/rules.go getEndpointSelector, parseSelectorAttachPrefix;
// networkpolicyprocessor.go), and the ipset a rule selector becomes in Felix
// (libcalico-go/lib/hash/unique_id.go MakeUniqueID, felix/ipsets/ipset_defs.go NameForMainIPSet).
import { createHash } from 'node:crypto';
import { parseSelector, selectorToString, type SelectorNode } from './selector.js';

export const LABEL_NAMESPACE = 'projectcalico.org/namespace';
export const LABEL_ORCHESTRATOR = 'projectcalico.org/orchestrator';
export const LABEL_SERVICE_ACCOUNT = 'projectcalico.org/serviceaccount';
export const NAMESPACE_LABEL_PREFIX = 'pcns.';
export const SERVICE_ACCOUNT_LABEL_PREFIX = 'pcsa.';

function prefixLabels(node: SelectorNode, prefix: string): SelectorNode {
  switch (node.op) {
    case 'all':
    case 'global':
      return node;
    case 'not':
      return { op: 'not', operand: prefixLabels(node.operand, prefix) };
    case 'and':
    case 'or':
      return { op: node.op, operands: node.operands.map((o) => prefixLabels(o, prefix)) };
    default:
      return { ...node, label: prefix + node.label };
  }
}

/** parseSelectorAttachPrefix: every label of the selector gets the prefix. */
export function attachPrefix(selector: string, prefix: string): string {
  return selectorToString(prefixLabels(parseSelector(selector).root, prefix));
}

/** A namespaceSelector as Felix sees it (pcns. labels; all() = any namespace, global() = none). */
export function namespaceSelectorV1(nsSelector: string): string {
  return attachPrefix(nsSelector, NAMESPACE_LABEL_PREFIX)
    .replaceAll('all()', `has(${LABEL_NAMESPACE})`)
    .replaceAll('global()', `!has(${LABEL_NAMESPACE})`);
}

/** getEndpointSelector: a rule's selector with its namespace scope folded in ('' = none). */
export function entitySelectorV1(
  namespaceSelector: string | undefined,
  selector: string | undefined,
  notSelector: string | undefined,
  ns: string,
): string {
  let nsSel = '';
  if (namespaceSelector) nsSel = namespaceSelectorV1(namespaceSelector);
  else if (ns) nsSel = `${LABEL_NAMESPACE} == '${ns}'`;
  let sel = selector ?? '';
  if (nsSel && (sel || notSelector || namespaceSelector)) {
    sel = sel ? `(${nsSel}) && (${sel})` : nsSel;
  }
  return sel;
}

/** The policy's own selector, scoped to its namespace (networkpolicyprocessor.go). */
export function policySelectorV1(selector: string, ns: string | undefined): string {
  if (!ns) return selector;
  const nsSel = `${LABEL_NAMESPACE} == '${ns}'`;
  return selector ? `(${selector}) && ${nsSel}` : nsSel;
}

/** The selector's canonical text (Calico's Selector.String()). */
export function canonicalSelector(selector: string): string {
  return parseSelector(selector).toString();
}

/** Felix's IP set ID for a selector: "s:" + base64url(SHA-224("s:" + canonical)). */
export function selectorSetId(selector: string): string {
  const content = `s:${canonicalSelector(selector)}`;
  return `s:${createHash('sha224').update(content).digest('base64url')}`;
}

export const MAX_IPSET_NAME = 31;

/** The main IPv4 set's name: "cali40" + ID, cut at 31 characters. */
export function ipsetNameV4(setId: string): string {
  return `cali40${setId}`.slice(0, MAX_IPSET_NAME);
}

/** The main IPv6 set's name: "cali60" + ID, cut at 31 characters (ipsets.IPVersionConfig). */
export function ipsetNameV6(setId: string): string {
  return `cali60${setId}`.slice(0, MAX_IPSET_NAME);
}
