// One error type for everything a user can get wrong in a file or a command:
// it always says what and where, rendered as
//   FILE:LINE:COL: <Kind>(<name>) <field path>: <message>
// so editors and terminals can jump to it. Warnings share the shape, with "warning: " after
// the position.

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
  /**
   * "warning": the input is accepted but the lab does not follow it the way Calico would
   * (e.g. "not modelled: <field> — <what the lab does instead>"). Absent: an error.
   */
  severity?: 'warning';
}

/** The same problem as a warning (accepted input the lab does not follow as Calico would). */
export function asWarning(p: Problem): Problem {
  return { ...p, severity: 'warning' };
}

// Control characters (a terminal obeys them), bidi overrides and invisible marks (they reorder
// or hide what a reader sees: "Trojan Source") from user input never reach a message raw.
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;
const MAX_NAME = 64;
const MAX_RUN = 200;
/** Problems one error lists; the rest are counted (a UI list of 50,000 helps nobody). */
const MAX_PROBLEMS = 1000;

/**
 * Text from input made safe to print: unprintable characters as \u{…} escapes, and any run
 * longer than `maxRun` characters without a space cut, saying how much was left out.
 */
export function printable(text: string, maxRun = MAX_RUN): string {
  const escaped = text.replace(
    UNPRINTABLE,
    (c) => `\\u{${c.codePointAt(0)!.toString(16).padStart(4, '0')}}`,
  );
  return escaped.replace(
    new RegExp(`[^\\s]{${maxRun + 1},}`, 'gu'),
    (run) => `${run.slice(0, maxRun)}…(${run.length - maxRun} more characters)`,
  );
}

/** A problem whose every text is printable, names at most 64 characters. */
export function printableProblem(p: Problem): Problem {
  return {
    ...p,
    ...(p.position ? { position: { ...p.position, file: printable(p.position.file, 1024) } } : {}),
    ...(p.name !== undefined ? { name: printable(p.name, MAX_NAME) } : {}),
    ...(p.field !== undefined ? { field: printable(p.field) } : {}),
    message: printable(p.message),
  };
}

export function formatProblem(p: Problem): string {
  const where =
    (p.position ? `${p.position.file}:${p.position.line}:${p.position.col}: ` : '') +
    (p.severity === 'warning' ? 'warning: ' : '');
  const what = p.kind ? `${p.kind}(${p.name ?? ''}) ` : '';
  const field = p.field ? `${p.field}: ` : '';
  return `${where}${what}${field}${p.message}`;
}

/** Thrown when input is invalid; carries every problem found, not only the first. */
export class LabInputError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    const safe = problems.slice(0, MAX_PROBLEMS).map(printableProblem);
    if (problems.length > MAX_PROBLEMS) {
      safe.push({
        ...(problems[MAX_PROBLEMS]?.position ? { position: problems[MAX_PROBLEMS].position } : {}),
        message: `${problems.length - MAX_PROBLEMS} more problems not listed (fix these first)`,
      });
    }
    super(safe.map(formatProblem).join('\n'));
    this.name = 'LabInputError';
    this.problems = safe;
  }
}
