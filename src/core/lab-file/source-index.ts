// Where each resource (and each of its fields) came from, kept after loading so later checks —
// IPAM, the editor's inline errors, apply — can still say FILE:LINE:COL.
import type { Problem, SourcePosition } from '../errors.js';
import {
  formatFieldPath,
  renderFieldError,
  type CalicoFieldError,
  type FieldPath,
} from '../calico/field-error.js';
import { locate, type ParsedDocument } from './source.js';

interface Origin {
  pd: ParsedDocument;
  basePath: FieldPath;
}

export class SourceIndex {
  private readonly origins = new Map<string, Origin>();

  /** Records the first definition of kind/name; returns the earlier one if already known. */
  add(kind: string, name: string, pd: ParsedDocument, basePath: FieldPath): Origin | undefined {
    const key = `${kind}\u0000${name}`;
    const prior = this.origins.get(key);
    if (prior) return prior;
    this.origins.set(key, { pd, basePath });
    return undefined;
  }

  has(kind: string, name: string): boolean {
    return this.origins.has(`${kind}\u0000${name}`);
  }

  /**
   * Position of a resource, or of a field in it (path relative to the resource, e.g.
   * ["spec", "cidr"]; for the lab, ["spec", "nodes", 1, "address"]). Undefined when the
   * resource did not come from a file (defaults, the auto-created pool).
   */
  positionOf(
    kind: string,
    name: string,
    path: FieldPath = [],
    target: 'key' | 'value' = 'value',
  ): SourcePosition | undefined {
    const o = this.origins.get(`${kind}\u0000${name}`);
    return o ? locate(o.pd, [...o.basePath, ...path], target) : undefined;
  }

  /** A problem about a resource's field, positioned when the resource came from a file. */
  problem(
    kind: string,
    name: string,
    path: FieldPath,
    message: string,
    target: 'key' | 'value' = 'value',
  ): Problem {
    const p: Problem = { kind, name, message };
    const position = this.positionOf(kind, name, path, target);
    if (position) p.position = position;
    if (path.length > 0) p.field = formatFieldPath(path);
    return p;
  }

  /** A Calico field error as a problem, rendered the way calicoctl prints it. */
  fieldError(kind: string, name: string, e: CalicoFieldError): Problem {
    return this.problem(kind, name, e.path, renderFieldError(e));
  }
}

/** Problem for a Calico field error of an entry not (yet) in an index. */
export function entryFieldError(
  pd: ParsedDocument,
  basePath: FieldPath,
  kind: string,
  name: string | undefined,
  e: CalicoFieldError,
): Problem {
  return {
    position: locate(pd, [...basePath, ...e.path]),
    kind,
    name,
    field: formatFieldPath(e.path),
    message: renderFieldError(e),
  };
}
