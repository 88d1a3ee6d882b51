// Duplicate keys are found by one pass over each map (yaml's own check compares every key
// with every earlier one: quadratic). The pass must report exactly what yaml reports.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseAllDocuments } from 'yaml';
import { locate, parseSources } from '../../../src/core/lab-file/source.js';

/** yaml's own verdict: the positions of its DUPLICATE_KEY errors. */
function yamlDuplicates(text: string): string[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, strict: true });
  return [...docs].flatMap((d) =>
    d.errors
      .filter((e) => e.code === 'DUPLICATE_KEY')
      .map((e) => {
        const { line, col } = lc.linePos(e.pos[0]);
        return `f.yaml:${line}:${col}`;
      }),
  );
}

function ours(text: string): string[] {
  return parseSources([{ file: 'f.yaml', text }])
    .problems.filter((p) => p.message.startsWith('YAML: duplicate key'))
    .map((p) => `${p.position?.file}:${p.position?.line}:${p.position?.col}`);
}

const key = fc.constantFrom('a', 'b', 'c', '"a"', "'b'", '1', '"1"', 'true', 'null');
const block = (depth: number): fc.Arbitrary<string[]> =>
  fc
    .array(
      fc.tuple(key, depth > 0 ? fc.oneof(fc.constant(null), block(depth - 1)) : fc.constant(null)),
      { minLength: 1, maxLength: 6 },
    )
    .map((pairs) =>
      pairs.flatMap(([k, child]) =>
        child ? [`${k}:`, ...child.map((l) => `  ${l}`)] : [`${k}: x`],
      ),
    );

describe('duplicate keys', () => {
  it('are reported where yaml itself reports them, in block and flow maps', () => {
    fc.assert(
      fc.property(block(2), fc.array(key, { maxLength: 5 }), (lines, flow) => {
        const text = `${lines.join('\n')}\nflow: {${flow.map((k) => `${k}: 1`).join(', ')}}\n`;
        expect(ours(text)).toEqual(yamlDuplicates(text));
      }),
      { numRuns: 300 },
    );
  });

  it('are named with their key, and a file with none parses', () => {
    const problems = parseSources([
      { file: 'f.yaml', text: 'a: 1\nb:\n  c: 1\n  c: 2\n' },
    ]).problems;
    expect(problems.map((p) => p.message)).toEqual(['YAML: duplicate key "c"']);
    expect(parseSources([{ file: 'f.yaml', text: 'a: 1\nb: {a: 1}\n' }]).problems).toEqual([]);
  });

  it('a 50,000-key map is checked in one pass, its last key still found by locate', () => {
    const text = Array.from({ length: 50_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    const { documents, problems } = parseSources([{ file: 'f.yaml', text }]);
    expect(problems).toEqual([]);
    expect(locate(documents[0]!, ['k49999'])).toEqual({ file: 'f.yaml', line: 50_000, col: 9 });
  });
});
