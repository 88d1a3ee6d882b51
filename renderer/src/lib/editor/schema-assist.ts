// Completion and hover texts for the lab file from its JSON Schema (generated from the zod
// schemas that validate it: src/core/lab-file/json-schema.ts). The YAML path at the cursor is
// read from indentation, so it works while the document is half typed and does not parse;
// block mappings, block sequences and one-line flow mappings (`- { name: a, node: b }`) are
// understood.

export type JsonSchema = { [key: string]: unknown };

export interface Candidate {
  label: string;
  /** What to insert (a key gets its colon and a space). */
  apply: string;
  type: 'property' | 'enum' | 'keyword';
  detail?: string;
  info?: string;
}

export interface Completions {
  /** Where the word being completed starts. */
  from: number;
  options: Candidate[];
}

type Segment = string; // a key, or '[]' for a sequence item

interface LineShape {
  /** Column of the first key (after any `- ` markers), or undefined for a bare `-` / scalar. */
  keyCol?: number;
  key?: string;
  /** Column of the last `- ` marker before the key. */
  dashCol?: number;
  /** The key has no value on its line (a nested mapping or sequence follows). */
  opens: boolean;
}

const KEY_LINE = /^(\s*)((?:-\s+)*)([A-Za-z_][\w.-]*|"[^"]*"|'[^']*')?\s*(:)?(.*)$/;

function shape(line: string): LineShape | undefined {
  const m = KEY_LINE.exec(line);
  if (!m || /^\s*(#|$)/.test(line)) return undefined;
  const indent = m[1]!.length;
  const dashes = m[2]!;
  const dashCol = dashes ? indent + dashes.lastIndexOf('-') : undefined;
  if (!m[3] || !m[4]) return { dashCol, opens: false, keyCol: undefined };
  const rest = m[5]!.trim();
  return {
    keyCol: indent + dashes.length,
    key: m[3].replace(/^["']|["']$/g, ''),
    dashCol,
    opens: rest === '' || rest.startsWith('#'),
  };
}

/** The lines of the YAML document holding `pos` (between `---` markers), and pos's line index. */
function documentLines(text: string, pos: number): { lines: string[]; at: number } {
  const all = text.split('\n');
  let offset = 0;
  let line = 0;
  while (line < all.length - 1 && offset + all[line]!.length < pos) {
    offset += all[line]!.length + 1;
    line++;
  }
  let start = line;
  while (start > 0 && !/^---/.test(all[start - 1]!)) start--;
  let end = line + 1;
  while (end < all.length && !/^---/.test(all[end]!)) end++;
  return { lines: all.slice(start, end), at: line - start };
}

/** The path of the mapping whose keys sit at column `col`, seen from line `at` upwards. */
function mappingPath(lines: string[], at: number, col: number, itemDash?: number): Segment[] {
  const path: Segment[] = [];
  let c = col;
  let afterItem = false;
  if (itemDash !== undefined) {
    path.unshift('[]');
    c = itemDash;
    afterItem = true;
  }
  for (let i = at - 1; i >= 0 && (c > 0 || afterItem); i--) {
    const s = shape(lines[i]!);
    if (!s) continue;
    // A sibling key of the mapping we are in that opens a sequence item: we are in that item.
    if (!afterItem && s.keyCol === c && s.dashCol !== undefined) {
      path.unshift('[]');
      c = s.dashCol;
      afterItem = true;
      continue;
    }
    if (s.keyCol === undefined) {
      if (s.dashCol !== undefined && s.dashCol < c && !afterItem) {
        path.unshift('[]');
        c = s.dashCol;
        afterItem = true;
      }
      continue;
    }
    const parent = afterItem ? s.keyCol <= c : s.keyCol < c;
    if (!parent || !s.opens) continue;
    path.unshift(s.key!);
    c = s.keyCol;
    afterItem = false;
    if (s.dashCol !== undefined) {
      path.unshift('[]');
      c = s.dashCol;
      afterItem = true;
    }
  }
  return path;
}

/** The document's top-level `kind`, which picks its schema. */
function documentKind(lines: string[]): string | undefined {
  for (const l of lines) {
    const m = /^kind:\s*["']?([\w-]+)/.exec(l);
    if (m) return m[1];
  }
  return undefined;
}

interface Place {
  kind?: string;
  /** The mapping the cursor is in. */
  path: Segment[];
  /** Set when the cursor is on a value: the key it belongs to. */
  valueKey?: string;
  /** The word under the cursor so far, and where it starts. */
  word: string;
  from: number;
}

/** Where `pos` is in the lab file: which mapping, on a key or on a key's value. */
export function placeAt(text: string, pos: number): Place {
  const { lines, at } = documentLines(text, pos);
  const lineStart = pos - (text.slice(0, pos).length - text.slice(0, pos).lastIndexOf('\n') - 1);
  const before = text.slice(lineStart, pos);
  const word = /[\w./-]*$/.exec(before)![0];
  const from = pos - word.length;
  const kind = documentKind(lines);

  // Inside a one-line flow mapping of a sequence item: `- { name: a, no|`.
  const flow = /^(\s*)((?:-\s+)*)\{([^}]*)$/.exec(before);
  if (flow) {
    const dashes = flow[2]!;
    const dashCol = dashes ? flow[1]!.length + dashes.lastIndexOf('-') : undefined;
    const col = flow[1]!.length + dashes.length;
    const path = mappingPath(lines, at, col, dashCol);
    const last = flow[3]!.split(',').pop()!;
    const kv = /^\s*([\w.-]+)\s*:\s*(\S*)$/.exec(last);
    return kv ? { kind, path, valueKey: kv[1], word, from } : { kind, path, word, from };
  }

  const kv = /^(\s*)((?:-\s+)*)([\w.-]+)\s*:\s*(\S*)$/.exec(before);
  if (kv) {
    const dashes = kv[2]!;
    const dashCol = dashes ? kv[1]!.length + dashes.lastIndexOf('-') : undefined;
    const path = mappingPath(lines, at, kv[1]!.length + dashes.length, dashCol);
    return { kind, path, valueKey: kv[3], word, from };
  }
  const key = /^(\s*)((?:-\s+)*)([\w.-]*)$/.exec(before);
  if (key) {
    const dashes = key[2]!;
    const dashCol = dashes ? key[1]!.length + dashes.lastIndexOf('-') : undefined;
    const path = mappingPath(lines, at, key[1]!.length + dashes.length, dashCol);
    return { kind, path, word, from };
  }
  return { kind, path: [], word, from };
}

// ---- the schema side

function isObject(v: unknown): v is JsonSchema {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `schema` with $ref followed and allOf merged (the generator's schemas use nothing else). */
function deref(root: JsonSchema, schema: JsonSchema): JsonSchema {
  let s = schema;
  for (let i = 0; i < 16 && typeof s.$ref === 'string'; i++) {
    const target = s.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), root);
    s = isObject(target) ? target : {};
  }
  if (Array.isArray(s.allOf)) {
    const merged: JsonSchema = { ...s, allOf: undefined };
    for (const part of s.allOf) {
      const p = deref(root, part as JsonSchema);
      merged.properties = { ...(p.properties as object), ...(merged.properties as object) };
      merged.description ??= p.description;
      merged.type ??= p.type;
    }
    return merged;
  }
  return s;
}

/** The document schemas `kind` selects (every branch when the kind is unknown). */
function branches(root: JsonSchema, kind: string | undefined): JsonSchema[] {
  const all = (Array.isArray(root.oneOf) ? root.oneOf : [root]).map((b) =>
    deref(root, b as JsonSchema),
  );
  const props = (b: JsonSchema) => (b.properties ?? {}) as Record<string, JsonSchema>;
  const matching = all.filter((b) => props(b).kind?.const === kind);
  return matching.length ? matching : all;
}

function child(root: JsonSchema, s: JsonSchema, seg: Segment): JsonSchema[] {
  if (seg === '[]') return isObject(s.items) ? [deref(root, s.items)] : [];
  const options = Array.isArray(s.oneOf) ? (s.oneOf as JsonSchema[]) : [s];
  return options
    .map((o) => deref(root, o))
    .map((o) => (o.properties as Record<string, JsonSchema> | undefined)?.[seg])
    .filter(isObject)
    .map((o) => deref(root, o));
}

function schemasAt(root: JsonSchema, kind: string | undefined, path: Segment[]): JsonSchema[] {
  let current = branches(root, kind);
  for (const seg of path) current = current.flatMap((s) => child(root, s, seg));
  // A sequence item that is a oneOf (List items): every branch.
  return current.flatMap((s) =>
    Array.isArray(s.oneOf) ? (s.oneOf as JsonSchema[]).map((o) => deref(root, o)) : [s],
  );
}

function typeName(s: JsonSchema): string | undefined {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return 'string';
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s.anyOf)) {
    const types = (s.anyOf as JsonSchema[]).map((a) => a.type).filter(Boolean);
    return types.length ? types.join(' | ') : undefined;
  }
  return undefined;
}

function keyCandidates(root: JsonSchema, schemas: JsonSchema[]): Candidate[] {
  const out = new Map<string, Candidate>();
  for (const s of schemas) {
    const required = new Set((s.required as string[] | undefined) ?? []);
    for (const [key, raw] of Object.entries((s.properties ?? {}) as Record<string, JsonSchema>)) {
      if (out.has(key)) continue;
      const p = deref(root, raw);
      const type = typeName(p);
      const nested = p.type === 'object' || p.type === 'array';
      out.set(key, {
        label: key,
        apply: nested ? `${key}:` : `${key}: `,
        type: 'property',
        ...(type || required.has(key)
          ? { detail: [type, required.has(key) ? 'required' : ''].filter(Boolean).join(', ') }
          : {}),
        ...(typeof p.description === 'string' ? { info: p.description } : {}),
      });
    }
  }
  // Documented, modelled fields first; Calico fields the lab only accepts (no type) last.
  return [...out.values()].sort(
    (a, b) => Number(!a.detail) - Number(!b.detail) || a.label.localeCompare(b.label),
  );
}

function valueCandidates(root: JsonSchema, schemas: JsonSchema[]): Candidate[] {
  const values = new Set<string>();
  const add = (s: JsonSchema) => {
    if (s.const !== undefined) values.add(String(s.const));
    if (Array.isArray(s.enum)) for (const v of s.enum) if (v !== '') values.add(String(v));
    if (s.type === 'boolean') ['true', 'false'].forEach((v) => values.add(v));
    for (const alt of (s.anyOf ?? s.oneOf ?? []) as JsonSchema[]) add(deref(root, alt));
  };
  schemas.forEach(add);
  return [...values].map((v) => ({
    label: v,
    apply: v,
    type: v === 'true' || v === 'false' ? 'keyword' : 'enum',
  }));
}

/** What to offer at `pos`: keys of the mapping there, or the values its key takes. */
export function completionsAt(root: JsonSchema, text: string, pos: number): Completions {
  const place = placeAt(text, pos);
  const schemas = schemasAt(root, place.kind, place.path);
  if (place.valueKey !== undefined) {
    const valueSchemas = schemas.flatMap((s) => child(root, s, place.valueKey!));
    return { from: place.from, options: valueCandidates(root, valueSchemas) };
  }
  return { from: place.from, options: keyCandidates(root, schemas) };
}

/** The description of the key under `pos`, headed by its path, or undefined off a known key. */
export function hoverAt(
  root: JsonSchema,
  text: string,
  pos: number,
): { from: number; to: number; text: string } | undefined {
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  const lineEnd = text.indexOf('\n', pos) < 0 ? text.length : text.indexOf('\n', pos);
  const line = text.slice(lineStart, lineEnd);
  // Keys on the line: at its start (block) or after `{` / `,` (flow).
  const keys = /(^\s*(?:-\s+)*|[{,]\s*)([\w.-]+)\s*:/g;
  for (let m = keys.exec(line); m; m = keys.exec(line)) {
    const from = lineStart + m.index + m[1]!.length;
    const to = from + m[2]!.length;
    if (pos < from || pos > to) continue;
    const place = placeAt(text, from);
    const schemas = schemasAt(root, place.kind, place.path).flatMap((s) => child(root, s, m[2]!));
    const described = schemas.find((s) => typeof s.description === 'string');
    if (!described) return undefined;
    const where = [...place.path, m[2]!].join('.').replace(/\.\[\]/g, '[]');
    const type = typeName(described);
    const values = Array.isArray(described.enum)
      ? `\nValues: ${(described.enum as string[]).filter((v) => v !== '').join(', ')}`
      : '';
    return {
      from,
      to,
      text: `${where}${type ? ` (${type})` : ''}\n${described.description as string}${values}`,
    };
  }
  return undefined;
}
