// Turns zod issues into one-line problems that name the field, say what was expected and what
// was found, and point at the YAML node (the key for unknown fields, the parent mapping for
// missing ones).
import type { z } from 'zod';
import type { Problem } from '../errors.js';
import { formatFieldPath, type FieldPath } from '../calico/field-error.js';
import { locate, type ParsedDocument } from './source.js';

type Issue = z.core.$ZodIssue;

export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(v, seg)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** A user string in a message: quoted, escaped, never more than one line or 60 characters. */
export function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}

export function describeValue(v: unknown): string {
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string': {
      const s = v.length > 40 ? `${v.slice(0, 40)}…` : v;
      return `string ${JSON.stringify(s)}`;
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof v} ${String(v)}`;
    case 'object':
      return 'a mapping';
    default:
      return typeof v;
  }
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean (true or false)',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
  map: 'a mapping',
};

/** Known field names at a path of a schema (for "did you mean"). */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  // Walk zod's public definitions; stop quietly on anything unexpected.
  let s: unknown = schema;
  const unwrap = () => {
    for (let guard = 0; guard < 10; guard++) {
      const def = (s as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
      if (!def) return;
      if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default')
        s = def.innerType;
      else return;
    }
  };
  for (const seg of path) {
    unwrap();
    const def = (s as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
    if (!def) return [];
    if (def.type === 'object') s = (def.shape as Record<string, unknown>)[String(seg)];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return [];
  }
  unwrap();
  const def = (s as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}

/** Edit distance (case-insensitive), two rows at a time. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  let cur = new Array<number>(y.length + 1);
  for (let i = 1; i <= x.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[y.length]!;
}

export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 64) return undefined; // no field name is that long; the distance would cost
  let best: string | undefined;
  let bestD = Infinity;
  const limit = Math.max(2, Math.floor(word.length / 3));
  for (const c of candidates) {
    if (Math.abs(c.length - word.length) > limit) continue; // the distance is at least that
    const d = distance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= limit ? best : undefined;
}

export interface ZodContext {
  /** The document, when the data came from a file (no positions otherwise). */
  pd?: ParsedDocument;
  /** Where the validated value sits in the document (["items", 3] for a list item). */
  basePath: FieldPath;
  kind?: string;
  name?: string;
  schema: z.ZodType;
  data: unknown;
}

/** Past this many problems of one kind a list stops helping (and costs seconds to build). */
const MAX_PROBLEMS = 500;

export function zodIssuesToProblems(issues: readonly Issue[], ctx: ZodContext): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path as (string | number)[];
    const common = { kind: ctx.kind, name: ctx.name };
    const at = (p: FieldPath, target: 'key' | 'value' = 'value') =>
      ctx.pd ? locate(ctx.pd, [...ctx.basePath, ...p], target) : undefined;
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(ctx.schema, path);
      const listed = issue.keys.slice(0, MAX_PROBLEMS);
      for (const key of listed) {
        const hint = suggest(key, known);
        out.push({
          ...common,
          position: at([...path, key], 'key'),
          field: formatFieldPath([...path, key]),
          message: `unknown field ${quote(key)}${hint ? ` (did you mean "${hint}"?)` : ''}`,
        });
      }
      if (issue.keys.length > listed.length) {
        out.push({
          ...common,
          position: at(path),
          field: formatFieldPath(path),
          message: `${issue.keys.length - listed.length} more unknown fields not listed`,
        });
      }
      continue;
    }
    const value = valueAt(ctx.data, path);
    const field = formatFieldPath(path);
    let message: string;
    let position = at(path);
    switch (issue.code) {
      case 'invalid_type': {
        const expected = EXPECTED[issue.expected] ?? issue.expected;
        if (value === undefined) {
          message = `missing required field ${quote(String(path.at(-1) ?? ''))} (${expected})`;
          position = at(path.slice(0, -1));
        } else {
          message = `expected ${expected}, got ${describeValue(value)}`;
          if (
            issue.expected === 'boolean' &&
            typeof value === 'string' &&
            /^(y|yes|n|no|on|off|true|false)$/i.test(value)
          ) {
            message += ' (YAML 1.2: write true or false, unquoted)';
          }
          if (
            issue.expected === 'string' &&
            (typeof value === 'number' || typeof value === 'boolean')
          ) {
            message += ` (quote it: "${String(value)}")`;
          }
        }
        break;
      }
      case 'invalid_value':
        message = `must be ${issue.values.length === 1 ? '' : 'one of '}${issue.values
          .map((v) => JSON.stringify(v))
          .join(', ')}, got ${value === undefined ? 'nothing' : describeValue(value)}`;
        if (value === undefined) position = at(path.slice(0, -1));
        break;
      case 'too_small':
        message =
          issue.origin === 'array'
            ? `must have at least ${String(issue.minimum)} item${Number(issue.minimum) === 1 ? '' : 's'}`
            : `must be at least ${String(issue.minimum)}, got ${describeValue(value)}`;
        break;
      case 'too_big':
        message =
          issue.origin === 'array'
            ? `must have at most ${String(issue.maximum)} items`
            : `must be at most ${String(issue.maximum)}, got ${describeValue(value)}`;
        break;
      case 'invalid_union':
        message =
          value === undefined
            ? `missing required field "${String(path.at(-1) ?? '')}"`
            : `expected a number or a string, got ${describeValue(value)}`;
        break;
      default:
        message = issue.message;
    }
    out.push({ ...common, position, field: field || undefined, message });
  }
  return out;
}

/**
 * safeParse that still yields data when the only issues are unknown fields (they are dropped),
 * so the rest of the resource gets checked too and the user sees every problem at once.
 */
export function parseCollecting<T>(
  schema: z.ZodType<T>,
  data: unknown,
): { data?: T; issues: readonly Issue[] } {
  const first = schema.safeParse(data);
  if (first.success) return { data: first.data, issues: [] };
  const issues = first.error.issues;
  if (!issues.every((i) => i.code === 'unrecognized_keys')) return { issues };
  const copy = structuredClone(data);
  for (const issue of issues) {
    const parent = valueAt(copy, issue.path);
    if (parent && typeof parent === 'object' && issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) delete (parent as Record<string, unknown>)[k];
    }
  }
  const second = schema.safeParse(copy);
  return second.success ? { data: second.data, issues } : { issues };
}
