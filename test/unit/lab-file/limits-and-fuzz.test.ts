// Hostile or broken input: size and nesting limits, alias bombs, and fuzzed lab files. Whatever
// the input, loading ends in a Lab or a LabInputError whose problems say where — never another
// exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LabInputError } from '../../../src/core/errors.js';
import { loadLab, loadResources } from '../../../src/core/lab-file/index.js';
import { fixture, linesOf } from './helpers.js';

const load = (text: string) => loadLab([{ file: 'x.yaml', text }]);

describe('input limits', () => {
  it('rejects a file over 1 MiB', () => {
    const text = `# ${'x'.repeat(1024 * 1024)}\n`;
    expect(linesOf(() => load(text))).toEqual([
      `x.yaml:1:1: file is too large (${text.length} bytes); lab files are limited to 1 MiB`,
    ]);
  });

  it('rejects flow nesting deeper than 64 before parsing', () => {
    const text = `a: ${'['.repeat(65)}1${']'.repeat(65)}\n`;
    expect(linesOf(() => load(text))).toEqual(['x.yaml:1:68: nesting is deeper than 64 levels']);
  });

  it('rejects block nesting deeper than 64', () => {
    const text = `${'- '.repeat(70)}x\n`;
    expect(linesOf(() => load(text))[0]).toMatch(
      /^x\.yaml:1:\d+: nesting is deeper than 64 levels$/,
    );
  });

  it('survives extreme nesting without a stack overflow', () => {
    const text = `${'- '.repeat(200_000)}x\n`;
    expect(linesOf(() => load(text))[0]).toMatch(/nesting is deeper than 64 levels/);
  });

  it('rejects an alias bomb', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i);
      const cur = String.fromCharCode(98 + i);
      lines.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const problems = linesOf(() => load(lines.join('\n') + '\n'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^x\.yaml:1:1: YAML: .*alias/i);
  });

  it('reports an empty file as having no Lab', () => {
    expect(linesOf(() => load(''))).toEqual([
      'x.yaml:1:1: no Lab document found: a lab file starts with "apiVersion: egress-lab/v1" and "kind: Lab"',
    ]);
    expect(loadResources([{ file: 'x.yaml', text: '' }])).toEqual({
      ipPools: [],
      bgpConfigurations: [],
      bgpPeers: [],
      felixConfigurations: [],
      warnings: [],
    });
  });
});

/** Loads and classifies: a Lab, or problems that each carry a position inside the file. */
function outcome(text: string): 'lab' | 'problems' {
  try {
    loadLab([{ file: 'f.yaml', text }]);
    return 'lab';
  } catch (e) {
    if (!(e instanceof LabInputError)) throw e;
    const lineCount = text.split('\n').length;
    expect(e.problems.length).toBeGreaterThan(0);
    for (const p of e.problems) {
      expect(p.position, JSON.stringify(p)).toBeDefined();
      expect(p.position!.file).toBe('f.yaml');
      expect(p.position!.line).toBeGreaterThanOrEqual(1);
      expect(p.position!.line).toBeLessThanOrEqual(lineCount + 1);
      expect(p.position!.col).toBeGreaterThanOrEqual(1);
      expect(p.message).not.toMatch(/\n/);
      expect(p.message).not.toMatch(/^\s+at /m);
    }
    return 'problems';
  }
}

describe('fuzzed lab files', () => {
  const seeds = [fixture('outgoing-nat.yaml').text, fixture('no-pool-lab.yaml').text];
  const YAML_NOISE = [
    ':',
    '-',
    '[',
    ']',
    '{',
    '}',
    '"',
    "'",
    '#',
    '&a',
    '*a',
    '!!str',
    '\t',
    '\n',
    ' ',
    '|',
    '>',
    ',',
    '?',
    '%',
    '@',
    '`',
    '0',
    'true',
    'null',
    '~',
    '---',
    '...',
  ];

  const mutation = fc.oneof(
    // Truncate anywhere.
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    // Insert YAML punctuation or random text.
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      text: fc.oneof(fc.constantFrom(...YAML_NOISE), fc.string({ maxLength: 8 })),
    }),
    // Delete a span.
    fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      len: fc.integer({ min: 1, max: 20 }),
    }),
    // Swap two lines (breaks structure and indentation).
    fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
    // Replace a value-ish token.
    fc.record({
      kind: fc.constant('replace' as const),
      at: fc.nat(),
      text: fc.constantFrom(
        '999.1.1.1/8',
        '10.0.0.1/33',
        '-1',
        '1e999',
        '"',
        'yes',
        '{}',
        '[]',
        'node-1',
        '::',
      ),
    }),
  );

  function apply(
    text: string,
    muts: (typeof mutation extends fc.Arbitrary<infer T> ? T : never)[],
  ): string {
    let t = text;
    for (const m of muts) {
      const at = t.length === 0 ? 0 : 'at' in m ? m.at % (t.length + 1) : 0;
      if (m.kind === 'truncate') t = t.slice(0, at);
      else if (m.kind === 'insert') t = t.slice(0, at) + m.text + t.slice(at);
      else if (m.kind === 'delete') t = t.slice(0, at) + t.slice(at + m.len);
      else if (m.kind === 'replace') t = t.slice(0, at) + m.text + t.slice(at + m.text.length);
      else {
        const lines = t.split('\n');
        const a = m.a % lines.length;
        const b = m.b % lines.length;
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
        t = lines.join('\n');
      }
    }
    return t;
  }

  it('never throws anything but LabInputError, and every problem has a position', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(mutation, { minLength: 1, maxLength: 5 }),
        (seed, muts) => {
          outcome(apply(seed, muts));
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 400) },
    );
  }, 300_000);

  it('handles arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        expect(outcome(text)).toBe('problems');
      }),
      { numRuns: 300 },
    );
  });

  it('the seeds themselves load', () => {
    for (const s of seeds) expect(outcome(s)).toBe('lab');
  });
});
