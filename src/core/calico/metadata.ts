// validateObjectMeta of libcalico-go/lib/validator/v3/validator.go: resource names are DNS-1123
// subdomains (≤ 253), label keys qualified names, label values valid label values.
import { tagReason, type CalicoFieldError, type FieldPath } from './field-error.js';
import {
  DNS1123_SUBDOMAIN_MAX,
  isDns1123Subdomain,
  labelValueProblems,
  NAME_SUBDOMAIN_FMT,
  qualifiedNameProblems,
} from './names.js';

export function validateObjectMeta(
  name: string,
  labels: Record<string, string> | undefined,
  annotations: Record<string, string> | undefined,
): CalicoFieldError[] {
  const errors: CalicoFieldError[] = [];
  if (name.length > DNS1123_SUBDOMAIN_MAX) {
    errors.push({
      name: 'Metadata.Name',
      value: name,
      reason: `name is too long by ${name.length - DNS1123_SUBDOMAIN_MAX} bytes`,
      path: ['metadata', 'name'],
    });
  }
  if (!isDns1123Subdomain(name) && !(name.length > DNS1123_SUBDOMAIN_MAX)) {
    errors.push({
      name: 'Metadata.Name',
      value: name,
      reason: `name must consist of lower case alphanumeric characters, '-' or '.' (regex: ${NAME_SUBDOMAIN_FMT})`,
      path: ['metadata', 'name'],
    });
  }
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const p of qualifiedNameProblems(k)) {
      errors.push({
        name: 'Metadata.Labels (label)',
        value: k,
        reason: p,
        path: ['metadata', 'labels', k],
      });
    }
    for (const p of labelValueProblems(v)) {
      errors.push({
        name: 'Metadata.Labels (value)',
        value: v,
        reason: p,
        path: ['metadata', 'labels', k],
      });
    }
  }
  for (const k of Object.keys(annotations ?? {})) {
    for (const p of qualifiedNameProblems(k.toLowerCase())) {
      errors.push({
        name: 'Metadata.Annotations (key)',
        value: k,
        reason: p,
        path: ['metadata', 'annotations', k],
      });
    }
  }
  return errors;
}

/**
 * Selector-tagged fields fail with go-playground's tag reason and nothing more: validateSelector
 * (libcalico-go/lib/validator/v3/validator.go) only logs the parser's error at debug level, so
 * calicoctl's message never says where the parse failed, and neither does the lab's.
 */
export function selectorTagError(field: string, value: string, path: FieldPath): CalicoFieldError {
  return { name: field, value, reason: tagReason(field, 'selector'), path };
}
