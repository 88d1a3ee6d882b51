// Calico's validation error, rendered as libcalico-go/lib/errors ErroredField does:
//   error with field <Name> = '<Value>' (<Reason>)
// (no " = '…'" when the value is nil). `path` is where the field lives in the resource as the
// user wrote it (e.g. "spec.cidr"), so the loader can point at the YAML.

export type FieldPath = (string | number)[];

export interface CalicoFieldError {
  name: string;
  value?: unknown;
  reason: string;
  path: FieldPath;
}

/** Dotted text of a path for Problem.field: spec.nodes[1].name, metadata.labels["a.b/c"]. */
export function formatFieldPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Go's %v for the values Calico reports (strings, numbers, bools, string slices). */
export function goValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (v === null) return '<nil>';
  if (typeof v === 'object') {
    return `&{${Object.values(v as Record<string, unknown>)
      .map(goValue)
      .join(' ')}}`;
  }
  return String(v);
}

export function renderFieldError(e: Pick<CalicoFieldError, 'name' | 'value' | 'reason'>): string {
  const value = e.value === undefined ? '' : ` = '${goValue(e.value)}'`;
  const reason = e.reason ? ` (${e.reason})` : '';
  return `error with field ${e.name}${value}${reason}`;
}

/** The reason go-playground/validator gives when a field tag fails (note the trailing space). */
export function tagReason(field: string, tag: string): string {
  return `Reason: failed to validate Field: ${field} because of Tag: ${tag} `;
}
