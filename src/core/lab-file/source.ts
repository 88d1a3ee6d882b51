// YAML text → documents that remember where every node came from, so any problem found later
// (by zod, by Calico's rules, by the lab's own checks) maps to FILE:LINE:COL.
// Guards: files over 1 MiB, nesting deeper than 64, and alias bombs are rejected with a clear
// message before they can cost memory or stack.
import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node as YamlNode,
  type YAMLMap,
} from 'yaml';
import type { Problem, SourcePosition } from '../errors.js';
import type { FieldPath } from '../calico/field-error.js';

export interface LabSource {
  file: string;
  text: string;
}

import { MAX_ALIAS_COUNT, MAX_DEPTH, MAX_FILE_BYTES } from './limits.js';

export { MAX_ALIAS_COUNT, MAX_DEPTH, MAX_FILE_BYTES };

export interface ParsedDocument {
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** Plain JS value of the document. */
  value: unknown;
}

function positionAt(file: string, lc: LineCounter, offset: number): SourcePosition {
  const { line, col } = lc.linePos(Math.max(0, offset));
  return { file, line, col };
}

/** Depth of flow collections ([ and {) outside quotes and comments, as a cheap pre-parse guard. */
function flowDepthViolation(text: string): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (comment) {
      if (c === '\n') comment = false;
      continue;
    }
    if (quote) {
      if (quote === "'" && c === "'" && text[i + 1] === "'") i++;
      else if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) comment = true;
    else if (c === '"' || c === "'") {
      // A quote opens a string only at the start of a scalar.
      if (i === 0 || /[\s[{,:]/.test(text[i - 1]!)) quote = c;
    } else if (c === '[' || c === '{') {
      depth++;
      if (depth > MAX_DEPTH) return i;
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/** Deepest nesting of collections in a parsed document (iterative: no recursion on input). */
function tooDeepNode(root: unknown): YamlNode | undefined {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth > MAX_DEPTH) return node as YamlNode;
    for (const item of node.items) {
      if (isPair(item)) {
        stack.push([item.key, depth + 1]);
        stack.push([item.value, depth + 1]);
      } else stack.push([item, depth + 1]);
    }
  }
  return undefined;
}

/**
 * Offsets of keys that repeat an earlier key of the same map, in document order. yaml's own
 * `uniqueKeys` check compares each key with every earlier one (50,000 keys: ~20 s); this is
 * the same test (scalar keys with equal values) with one Set per map.
 */
function duplicateKeyOffsets(root: unknown): number[] {
  const offsets: number[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!isCollection(node)) continue;
    const seen = isMap(node) ? new Set<unknown>() : undefined;
    for (const item of node.items) {
      if (!isPair(item)) {
        stack.push(item);
        continue;
      }
      if (seen && isScalar(item.key)) {
        if (seen.has(item.key.value)) offsets.push(item.key.range?.[0] ?? 0);
        else seen.add(item.key.value);
      }
      stack.push(item.key, item.value);
    }
  }
  return offsets.sort((a, b) => a - b);
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** Parses every source into documents; syntax and size problems come back with positions. */
export function parseSources(sources: readonly LabSource[]): {
  documents: ParsedDocument[];
  problems: Problem[];
} {
  const documents: ParsedDocument[] = [];
  const problems: Problem[] = [];
  for (const { file, text } of sources) {
    const start = { file, line: 1, col: 1 };
    if (typeof text !== 'string') {
      problems.push({ position: start, message: 'file content is not text' });
      continue;
    }
    const bytes = new TextEncoder().encode(text).length;
    if (bytes > MAX_FILE_BYTES) {
      problems.push({
        position: start,
        message: `file is too large (${bytes} bytes); lab files are limited to 1 MiB`,
      });
      continue;
    }
    const lineCounter = new LineCounter();
    const flowAt = flowDepthViolation(text);
    if (flowAt !== undefined) {
      // Feed the counter so the offset maps to a line.
      lineCounter.addNewLine(0);
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1))
        lineCounter.addNewLine(i + 1);
      problems.push({
        position: positionAt(file, lineCounter, flowAt),
        message: `nesting is deeper than ${MAX_DEPTH} levels`,
      });
      continue;
    }
    let docs: Document.Parsed[];
    try {
      docs = parseAllDocuments(text, {
        lineCounter,
        prettyErrors: false,
        uniqueKeys: false, // checked in linear time below (duplicateKeyOffsets)
        strict: true,
        merge: true, // "<<: *anchor" merge keys, as many YAML users expect
      }) as Document.Parsed[];
    } catch (e) {
      problems.push({
        position: start,
        message:
          e instanceof RangeError
            ? `nesting is deeper than ${MAX_DEPTH} levels`
            : `cannot parse YAML: ${e instanceof Error ? firstLine(e.message) : String(e)}`,
      });
      continue;
    }
    // parseAllDocuments returns an EmptyStream (an array) or Document[]; both iterate.
    let index = 0;
    for (const doc of docs) {
      const i = index++;
      const duplicates = duplicateKeyOffsets(doc.contents).map((pos) => ({
        code: 'DUPLICATE_KEY',
        message: 'Map keys must be unique',
        pos: [pos, pos] as const,
      }));
      if (doc.errors.length > 0 || duplicates.length > 0) {
        const errors = [...doc.errors, ...duplicates].sort((a, b) => a.pos[0] - b.pos[0]);
        for (const err of errors) {
          let message = firstLine(err.message);
          if (/call stack/i.test(message)) {
            problems.push({
              position: start,
              message: `nesting is deeper than ${MAX_DEPTH} levels`,
            });
            break;
          }
          if (err.code === 'DUPLICATE_KEY') {
            const m = /^("[^"\n]*"|'[^'\n]*'|[^:\s,{}[\]]+)/.exec(text.slice(err.pos[0]));
            const key = m ? m[1]!.replace(/^["']|["']$/g, '') : '';
            message = key ? `duplicate key "${key}"` : 'duplicate key';
          }
          problems.push({
            position: positionAt(file, lineCounter, err.pos[0]),
            message: `YAML: ${message}`,
          });
        }
        continue;
      }
      if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null))
        continue;
      const deep = tooDeepNode(doc.contents);
      if (deep) {
        problems.push({
          position: positionAt(file, lineCounter, deep.range?.[0] ?? 0),
          message: `nesting is deeper than ${MAX_DEPTH} levels`,
        });
        continue;
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (e) {
        problems.push({
          position: positionAt(file, lineCounter, doc.contents.range?.[0] ?? 0),
          message:
            e instanceof RangeError
              ? `nesting is deeper than ${MAX_DEPTH} levels`
              : `YAML: ${e instanceof Error ? firstLine(e.message) : String(e)}`,
        });
        continue;
      }
      documents.push({ file, index: i, doc, lineCounter, value });
    }
  }
  return { documents, problems };
}

type YamlMap = YAMLMap<unknown, unknown>;
const keyIndex = new WeakMap<YamlMap, Map<string, YamlMap['items'][number]>>();

/**
 * A map's pairs by key text (the first pair wins, as a search from the top would find), built
 * once per map: locating thousands of problems in one large map stays linear.
 */
function pairsByKey(map: YamlMap): Map<string, YamlMap['items'][number]> {
  let index = keyIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      const k = isScalar(p.key) ? p.key.value : p.key;
      if (k === null || k === undefined) continue;
      const text = String(k);
      if (!index.has(text)) index.set(text, p);
    }
    keyIndex.set(map, index);
  }
  return index;
}

/**
 * Where `path` points in a document: the value's start (or the key's with target "key"). When
 * the path does not exist (a missing field), the nearest existing ancestor.
 */
export function locate(
  pd: ParsedDocument,
  path: FieldPath,
  target: 'key' | 'value' = 'value',
): SourcePosition {
  let node: unknown = pd.doc.contents;
  let offset = pd.doc.contents?.range?.[0] ?? pd.doc.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (isAlias(node)) node = node.resolve(pd.doc);
    if (isMap(node)) {
      const pair = pairsByKey(node).get(String(seg));
      if (!pair) break;
      const keyStart = (pair.key as YamlNode | null)?.range?.[0];
      if (last && target === 'key' && keyStart !== undefined) {
        offset = keyStart;
        break;
      }
      const v = pair.value as YamlNode | null;
      if (!v || !v.range) {
        if (keyStart !== undefined) offset = keyStart;
        break;
      }
      node = v;
      offset = v.range[0];
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item || !item.range) break;
      node = item;
      offset = item.range[0];
    } else break;
  }
  return positionAt(pd.file, pd.lineCounter, offset);
}

/** Position of a document's first line (for problems about the document as a whole). */
export function documentStart(pd: ParsedDocument): SourcePosition {
  return locate(pd, []);
}
