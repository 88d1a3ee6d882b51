// What a user typed is printed back in errors: never raw control or bidi characters (a
// terminal obeys the first, the second reorder what a reader sees), never a name of any length.
import { describe, expect, it } from 'vitest';
import { LabInputError, printable } from '../../../src/core/errors.js';
import { loadLab } from '../../../src/core/lab-file/index.js';

describe('printable', () => {
  it('escapes control characters, bidi overrides and invisible marks', () => {
    expect(printable('a\u001b[2Jb')).toBe('a\\u{001b}[2Jb');
    expect(printable('x\u202eevil\u2066')).toBe('x\\u{202e}evil\\u{2066}');
    expect(printable('line\nfake: error')).toBe('line\\u{000a}fake: error');
    expect(printable('zero\u200bwidth\ufeff')).toBe('zero\\u{200b}width\\u{feff}');
    expect(printable('plain text, ünïcode ok')).toBe('plain text, ünïcode ok');
  });

  it('cuts a run without spaces past the limit and says how much is left out', () => {
    expect(printable('a'.repeat(300))).toBe(`${'a'.repeat(200)}…(100 more characters)`);
    expect(printable(`short ${'b'.repeat(10)}`, 5)).toBe('short bbbbb…(5 more characters)');
  });
});

// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u001f\u202e]/u;

describe('errors from hostile input', () => {
  it('print names and values escaped and bounded', () => {
    const name = `p\u202e${'x'.repeat(500)}`;
    const text = `apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: "${name}"}
spec: {cidr: "10.0.0.0/16\\u001b[31m"}
`;
    let error: LabInputError | undefined;
    try {
      loadLab([{ file: 'f.yaml', text }]);
    } catch (e) {
      error = e as LabInputError;
    }
    expect(error).toBeInstanceOf(LabInputError);
    expect(error!.message).not.toMatch(RAW);
    for (const p of error!.problems) {
      expect((p.name ?? '').length).toBeLessThan(100);
      expect(`${p.name} ${p.message}`).not.toMatch(RAW);
    }
    expect(error!.message).toContain('\\u{202e}');
  });
});

describe('very many problems', () => {
  it('are listed up to a bound, the rest counted', () => {
    const fields = Array.from({ length: 3000 }, (_, i) => `  x${i}: 1`).join('\n');
    const text = `apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: p}
spec:
  cidr: 10.0.0.0/16
${fields}
`;
    let error: LabInputError | undefined;
    try {
      loadLab([{ file: 'f.yaml', text }]);
    } catch (e) {
      error = e as LabInputError;
    }
    const messages = error!.problems.map((p) => p.message);
    expect(messages).toContain('unknown field "x0"');
    expect(messages).toContain('2500 more unknown fields not listed');
    expect(messages).not.toContain('unknown field "x2999"');
  });

  it('one error lists at most 1,000 problems and counts the rest', () => {
    const many = Array.from({ length: 1500 }, (_, i) => ({ message: `problem ${i}` }));
    const e = new LabInputError(many);
    expect(e.problems).toHaveLength(1001);
    expect(e.problems.at(-1)!.message).toBe('500 more problems not listed (fix these first)');
  });
});
