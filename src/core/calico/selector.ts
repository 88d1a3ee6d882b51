// Calico selector expressions, as libcalico-go/lib/selector (tokenizer + parser + ast) defines them:
//   all()  global()  has(k)  !has(k)  k == 'v'  k != 'v'  k in {'a','b'}  k not in {…}
//   k contains 'x'  k starts with 'x'  k ends with 'x'  &&  ||  !  ( … )
// The empty (or blank) expression selects everything, like all().
// Semantics follow Calico's AST: `!=` and `not in` also match when the label is absent;
// `==`, `in`, `contains`, `starts with`, `ends with` need the label present.
// Precedence: `||` lowest, then `&&`, then the prefix `!` on a single operation.

export type SelectorNode =
  | { op: 'all' }
  | { op: 'global' }
  | { op: 'has'; label: string }
  | { op: '==' | '!=' | 'contains' | 'starts with' | 'ends with'; label: string; value: string }
  | { op: 'in' | 'not in'; label: string; values: string[] }
  | { op: 'not'; operand: SelectorNode }
  | { op: 'and' | 'or'; operands: SelectorNode[] };

export interface Selector {
  /** The expression as written. */
  readonly source: string;
  readonly root: SelectorNode;
  matches(labels: Record<string, string>): boolean;
  /** Canonical text, the way Calico's Selector.String() prints it. */
  toString(): string;
}

/** A selector that does not parse; `column` is 1-based within the expression. */
export class SelectorSyntaxError extends Error {
  readonly column: number;
  readonly reason: string;
  readonly expression: string;
  constructor(expression: string, column: number, reason: string) {
    super(`invalid selector ${JSON.stringify(expression)} at column ${column}: ${reason}`);
    this.name = 'SelectorSyntaxError';
    this.expression = expression;
    this.column = column;
    this.reason = reason;
  }
}

type TokKind =
  | 'label'
  | 'string'
  | '{'
  | '}'
  | ','
  | '=='
  | '!='
  | 'in'
  | '!'
  | 'not in'
  | 'contains'
  | 'starts with'
  | 'ends with'
  | 'all'
  | 'global'
  | 'has'
  | '('
  | ')'
  | '&&'
  | '||'
  | 'eof';

interface Token {
  kind: TokKind;
  value: string;
  col: number; // 1-based start column
}

// Calico's tokenizer only skips spaces and tabs; anything else is significant.
const WHITESPACE = new Set([' ', '\t']);

function isLabelChar(c: string | undefined): boolean {
  return c !== undefined && /[a-zA-Z0-9_./-]/.test(c);
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (at: number, reason: string): never => {
    throw new SelectorSyntaxError(input, at + 1, reason);
  };
  const skipWs = () => {
    while (i < input.length && WHITESPACE.has(input[i]!)) i++;
  };
  const readLabel = (): string => {
    const start = i;
    while (i < input.length && isLabelChar(input[i])) i++;
    return input.slice(start, i);
  };
  for (;;) {
    skipWs();
    if (i >= input.length) {
      tokens.push({ kind: 'eof', value: '', col: input.length + 1 });
      return tokens;
    }
    const start = i;
    const c = input[i]!;
    const push = (kind: TokKind, len: number, value = '') => {
      tokens.push({ kind, value, col: start + 1 });
      i += len;
    };
    const last = tokens.at(-1)?.kind;
    if (c === '(' || c === ')' || c === '{' || c === '}' || c === ',') {
      push(c, 1);
    } else if (c === '"' || c === "'") {
      const end = input.indexOf(c, i + 1);
      if (end === -1) fail(start, 'unterminated string');
      tokens.push({ kind: 'string', value: input.slice(i + 1, end), col: start + 1 });
      i = end + 1;
    } else if (c === '=') {
      if (input[i + 1] === '=') push('==', 2);
      else fail(start, 'expected ==');
    } else if (c === '!') {
      if (input[i + 1] === '=') push('!=', 2);
      else push('!', 1);
    } else if (c === '&') {
      if (input[i + 1] === '&') push('&&', 2);
      else fail(start, 'expected &&');
    } else if (c === '|') {
      if (input[i + 1] === '|') push('||', 2);
      else fail(start, 'expected ||');
    } else if (last === 'label') {
      // After a label only a word operator may follow.
      const labelName = tokens.at(-1)!.value;
      const expectOp = () =>
        fail(start, `unexpected characters after label '${labelName}', was expecting an operator`);
      const rest = input.slice(i);
      const twoWord = (first: string, kind: TokKind) => {
        i += first.length;
        skipWs();
        if (!input.startsWith(kind.split(' ')[1]!, i)) expectOp();
        tokens.push({ kind, value: '', col: start + 1 });
        i += kind.split(' ')[1]!.length;
      };
      if (rest.startsWith('contains')) push('contains', 'contains'.length);
      else if (rest.startsWith('starts')) twoWord('starts', 'starts with');
      else if (rest.startsWith('ends')) twoWord('ends', 'ends with');
      else if (rest.startsWith('not')) twoWord('not', 'not in');
      else if (rest.startsWith('in')) push('in', 2);
      else expectOp();
    } else if (input.startsWith('has(', i)) {
      i += 4;
      skipWs();
      const labelStart = i;
      const label = readLabel();
      if (label === '') fail(labelStart, 'no label name in has( expression');
      skipWs();
      if (input[i] !== ')') fail(i, "no closing ')' after has(");
      i++;
      tokens.push({ kind: 'has', value: label, col: start + 1 });
    } else if (input.startsWith('all(', i) || input.startsWith('global(', i)) {
      const kind = input.startsWith('all(', i) ? 'all' : 'global';
      i += kind.length + 1;
      skipWs();
      if (input[i] !== ')') fail(i, `no closing ')' after ${kind}(`);
      i++;
      tokens.push({ kind, value: '', col: start + 1 });
    } else if (isLabelChar(c)) {
      const label = readLabel();
      tokens.push({ kind: 'label', value: label, col: start + 1 });
    } else {
      fail(start, `unexpected character ${JSON.stringify(c)}`);
    }
  }
}

class Parser {
  private pos = 0;
  constructor(
    private readonly input: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }
  private next(): Token {
    const t = this.tokens[this.pos]!;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private fail(t: Token, reason: string): never {
    throw new SelectorSyntaxError(this.input, t.col, reason);
  }

  parseRoot(): SelectorNode {
    if (this.peek().kind === 'eof') return { op: 'all' };
    const node = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'eof') this.fail(t, `unexpected content at end of selector: ${describe(t)}`);
    return node;
  }

  private parseOr(): SelectorNode {
    const operands = [this.parseAnd()];
    while (this.peek().kind === '||') {
      this.next();
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? operands[0]! : { op: 'or', operands };
  }

  private parseAnd(): SelectorNode {
    const operands = [this.parseOperation()];
    while (this.peek().kind === '&&') {
      this.next();
      operands.push(this.parseOperation());
    }
    return operands.length === 1 ? operands[0]! : { op: 'and', operands };
  }

  private parseOperation(): SelectorNode {
    // Calico collapses any run of leading "!" into one negation.
    let negated = false;
    while (this.peek().kind === '!') {
      this.next();
      negated = !negated;
    }
    const node = this.parseTerm();
    return negated ? { op: 'not', operand: node } : node;
  }

  private parseTerm(): SelectorNode {
    const t = this.next();
    switch (t.kind) {
      case 'has':
        return { op: 'has', label: t.value };
      case 'all':
        return { op: 'all' };
      case 'global':
        return { op: 'global' };
      case '(': {
        const inner = this.parseOr();
        const close = this.next();
        if (close.kind !== ')') this.fail(close, `expected ) but found ${describe(close)}`);
        return inner;
      }
      case 'label':
        return this.parseComparison(t.value);
      case 'eof':
        return this.fail(t, 'unexpected end of selector, expected an expression');
      default:
        return this.fail(t, `unexpected ${describe(t)}, expected an expression`);
    }
  }

  private parseComparison(label: string): SelectorNode {
    const op = this.next();
    switch (op.kind) {
      case '==':
      case '!=':
      case 'contains':
      case 'starts with':
      case 'ends with': {
        const v = this.next();
        if (v.kind !== 'string') this.fail(v, `expected a quoted string after '${op.kind}'`);
        return { op: op.kind, label, value: v.value };
      }
      case 'in':
      case 'not in': {
        const brace = this.next();
        if (brace.kind !== '{') this.fail(brace, `expected set literal {…} after '${op.kind}'`);
        const values: string[] = [];
        while (this.peek().kind === 'string') {
          values.push(this.next().value);
          if (this.peek().kind === ',') this.next();
          else break;
        }
        const close = this.next();
        if (close.kind !== '}') this.fail(close, `expected } but found ${describe(close)}`);
        return { op: op.kind, label, values: [...new Set(values)].sort() };
      }
      default:
        return this.fail(
          op,
          `expected an operator after label '${label}' but found ${describe(op)}`,
        );
    }
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of selector';
  if (t.kind === 'label') return `label '${t.value}'`;
  if (t.kind === 'string') return `string '${t.value}'`;
  if (t.kind === 'has') return `has(${t.value})`;
  if (t.kind === 'all' || t.kind === 'global') return `${t.kind}()`;
  return `'${t.kind}'`;
}

export function evaluate(node: SelectorNode, labels: Record<string, string>): boolean {
  const get = (k: string): string | undefined =>
    Object.prototype.hasOwnProperty.call(labels, k) ? labels[k] : undefined;
  switch (node.op) {
    case 'all':
    case 'global':
      return true;
    case 'has':
      return get(node.label) !== undefined;
    case '==':
      return get(node.label) === node.value;
    case '!=':
      return get(node.label) !== node.value; // absent label matches
    case 'contains': {
      const v = get(node.label);
      return v !== undefined && v.includes(node.value);
    }
    case 'starts with': {
      const v = get(node.label);
      return v !== undefined && v.startsWith(node.value);
    }
    case 'ends with': {
      const v = get(node.label);
      return v !== undefined && v.endsWith(node.value);
    }
    case 'in': {
      const v = get(node.label);
      return v !== undefined && node.values.includes(v);
    }
    case 'not in': {
      const v = get(node.label);
      return v === undefined || !node.values.includes(v); // absent label matches
    }
    case 'not':
      return !evaluate(node.operand, labels);
    case 'and':
      return node.operands.every((o) => evaluate(o, labels));
    case 'or':
      return node.operands.some((o) => evaluate(o, labels));
  }
}

function quote(s: string): string {
  return s.includes('"') ? `'${s}'` : `"${s}"`;
}

/** Canonical text as Calico's collectFragments renders it. */
export function selectorToString(node: SelectorNode): string {
  switch (node.op) {
    case 'all':
    case 'global':
      return `${node.op}()`;
    case 'has':
      return `has(${node.label})`;
    case '==':
    case '!=':
    case 'contains':
    case 'starts with':
    case 'ends with':
      return `${node.label} ${node.op} ${quote(node.value)}`;
    case 'in':
    case 'not in':
      return `${node.label} ${node.op} {${node.values.map(quote).join(', ')}}`;
    case 'not':
      return `!${selectorToString(node.operand)}`;
    case 'and':
    case 'or':
      return `(${node.operands.map(selectorToString).join(node.op === 'and' ? ' && ' : ' || ')})`;
  }
}

/** Parses a Calico selector; throws SelectorSyntaxError (with a 1-based column) when invalid. */
export function parseSelector(expr: string): Selector {
  const root = new Parser(expr, tokenize(expr)).parseRoot();
  return {
    source: expr,
    root,
    matches: (labels) => evaluate(root, labels),
    toString: () => selectorToString(root),
  };
}

/** Parse errors thrown as SelectorSyntaxError; returns the reason text or undefined when valid. */
export function validateSelector(expr: string): SelectorSyntaxError | undefined {
  try {
    parseSelector(expr);
    return undefined;
  } catch (e) {
    if (e instanceof SelectorSyntaxError) return e;
    throw e;
  }
}

const cache = new Map<string, Selector>();

/** Does `expr` select a resource with these labels? Throws SelectorSyntaxError when invalid. */
export function matchesSelector(expr: string, labels: Record<string, string>): boolean {
  let sel = cache.get(expr);
  if (!sel) {
    sel = parseSelector(expr);
    if (cache.size > 1000) cache.clear();
    cache.set(expr, sel);
  }
  return sel.matches(labels);
}
