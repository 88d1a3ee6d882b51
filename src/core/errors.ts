// One error type for everything a user can get wrong in a file or a command:
// it always says what and where, rendered as
//   FILE:LINE:COL: <Kind>(<name>) <field path>: <message>
// so editors and terminals can jump to it.

export interface SourcePosition {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
}

export interface Problem {
  position?: SourcePosition;
  kind?: string; // resource kind, e.g. "IPPool", "Lab"
  name?: string; // resource name
  field?: string; // dotted path, e.g. "spec.blockSize" or "spec.nodes[1].name"
  message: string;
}

export function formatProblem(p: Problem): string {
  const where = p.position ? `${p.position.file}:${p.position.line}:${p.position.col}: ` : '';
  const what = p.kind ? `${p.kind}(${p.name ?? ''}) ` : '';
  const field = p.field ? `${p.field}: ` : '';
  return `${where}${what}${field}${p.message}`;
}

/** Thrown when input is invalid; carries every problem found, not only the first. */
export class LabInputError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'LabInputError';
    this.problems = problems;
  }
}
