// Selector conformance. The match/non-match table, the bad selectors and the canonical
// forms are Calico's own cases from libcalico-go/lib/selector/parser/parser_test.go
// (projectcalico/calico), restated as data.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  matchesSelector,
  parseSelector,
  SelectorSyntaxError,
  validateSelector,
} from '../../../src/core/calico/selector.js';

type L = Record<string, string>;
const cases: [string, L[], L[]][] = [
  ['a == "b"', [{ a: 'b' }, { a: 'b', c: 'd' }], [{}, { a: 'c' }, { c: 'd' }]],
  [
    'a == "b" && c == "d"',
    [{ a: 'b', c: 'd' }],
    [{}, { a: 'b', c: 'e' }, { a: 'c', c: 'd' }, { c: 'd' }, { a: 'b' }],
  ],
  [
    'a == "b" || c == "d"',
    [{ a: 'b', c: 'd' }, { a: 'b' }, { c: 'd' }],
    [{}, { a: 'e', c: 'e' }, { c: 'e' }, { a: 'e' }],
  ],
  [`a in {"'", '"', "c"}`, [{ a: 'c' }, { a: '"' }, { a: "'" }], [{}, { a: 'e' }]],
  [`a not in {"'", '"', "c"}`, [{}, { a: 'e' }], [{ a: 'c' }, { a: '"' }, { a: "'" }]],
  ["a == 'a'", [{ a: 'a' }], [{ a: 'b' }, {}]],
  ['a != "b"', [{ a: 'a' }], []],
  ['a != "a"', [{}], [{ a: 'a' }]],
  [
    'a contains "a"',
    [{ a: 'a' }, { a: 'bab' }, { a: 'aaa', b: 'c' }],
    [{}, { a: 'b' }, { b: 'aaa' }],
  ],
  [
    'a starts with "a"',
    [{ a: 'a' }, { a: 'abb' }, { a: 'aaa', b: 'c' }],
    [{}, { a: 'b' }, { a: 'baa' }, { b: 'aaa' }],
  ],
  [
    'a ends with "a"',
    [{ a: 'a' }, { a: 'bba' }, { a: 'aaa', b: 'c' }],
    [{}, { a: 'b' }, { a: 'aab' }, { b: 'aaa' }],
  ],
  ['a in {"a"}', [{ a: 'a' }], [{ a: 'b' }]],
  ['!a in {"a"}', [{ a: 'b' }], []],
  ['a in {"a", "b"}', [{ a: 'a' }, { a: 'b' }], [{ a: 'c' }]],
  ['a not in {"d", "e"}', [{ a: 'a' }], []],
  ['a not in {"a"}', [], [{ a: 'a' }]],
  ['has(a)', [{ a: 'b' }], []],
  ['has(b)', [], [{ a: 'b' }]],
  ['!has(a)', [{ b: 'b' }], [{ a: 'b' }]],
  ['!!has(b)', [], [{ a: 'b' }]],
  ['! has(a)', [], [{ a: 'b' }]],
  ['!!! has(a)', [], [{ a: 'b' }]],
  ['!! ! has(a)', [], [{ a: 'b' }]],
  ['', [{}, { a: 'b' }], []],
  [' ', [{}], []],
  ['all()', [{}], []],
  [' all()', [{}, { a: 'b' }], []],
  ['global()', [{}], []],
  ["a == 'a1' && b == 'b1'", [{ a: 'a1', b: 'b1' }], []],
  ["a == 'a1' && b != 'b1'", [], [{ a: 'a1', b: 'b1' }]],
  ["a != 'a1' && !b == 'b1'", [], [{ a: 'a1', b: 'b1' }]],
  ["!a == 'a1' && b == 'b1'", [], [{ a: 'a1', b: 'b1' }]],
  ['has(a) && !has(b)', [{ a: 'a' }], []],
  ['!(!has(a) || has(b))', [{ a: 'a' }], []],
  ['!(has(b) || !has(a))', [{ a: 'a' }], []],
  ["a == 'a1' || b != 'b1'", [{ a: 'a1', b: 'b1' }], []],
  ["a != 'a1' || b != 'b1'", [], [{ a: 'a1', b: 'b1' }]],
  ["! a == 'a1' || ! b == 'b1'", [], [{ a: 'a1', b: 'b1' }]],
  // Kubernetes-style keys with prefixes, dots and slashes.
  [
    "kubernetes.io/hostname == 'node-1'",
    [{ 'kubernetes.io/hostname': 'node-1' }],
    [{ 'kubernetes.io/hostname': 'node-2' }],
  ],
  // && binds tighter than ||.
  ["a == '1' || b == '1' && c == '1'", [{ a: '1' }, { b: '1', c: '1' }], [{ b: '1' }]],
  ["(a == '1' || b == '1') && c == '1'", [{ a: '1', c: '1' }], [{ a: '1' }]],
];

describe('matchesSelector (Calico parser_test.go cases)', () => {
  for (const [sel, yes, no] of cases) {
    it(`${JSON.stringify(sel)}`, () => {
      for (const labels of yes)
        expect(matchesSelector(sel, labels), JSON.stringify(labels)).toBe(true);
      for (const labels of no)
        expect(matchesSelector(sel, labels), JSON.stringify(labels)).toBe(false);
      // Canonical text re-parses to a selector with the same meaning.
      const canon = parseSelector(sel).toString();
      for (const labels of yes) expect(matchesSelector(canon, labels)).toBe(true);
      for (const labels of no) expect(matchesSelector(canon, labels)).toBe(false);
    });
  }
  it('does not treat Object.prototype keys as labels', () => {
    expect(matchesSelector('has(constructor)', {})).toBe(false);
    expect(matchesSelector("toString != 'x'", {})).toBe(true);
  });
});

describe('parseSelector rejects bad selectors', () => {
  const bad = [
    'b == b',
    'b contains b',
    'b starts with b',
    'b ends with b',
    "'b1' == b",
    'b',
    'a b',
    '!',
    'foo == "bar" &',
    'foo == "bar" |',
    'foo != ||',
    'foo in {"", ||',
    'foo in ""',
    '"FOO',
    `"FOO'`,
    "'FOO",
    '(',
    '(a == "foo"',
    ')',
    '()',
    '%',
    'a == "b" && %',
    'a == "b" || %',
    'a ',
    'has(foo) &&',
    'has()',
    'all(x)',
    "a = 'b'",
    "a == 'b'\n&& c == 'd'",
  ];
  for (const sel of bad) {
    it(JSON.stringify(sel), () => {
      expect(() => parseSelector(sel)).toThrow(SelectorSyntaxError);
      expect(validateSelector(sel)).toBeInstanceOf(SelectorSyntaxError);
    });
  }

  it('reports the column of the problem', () => {
    const e = validateSelector("zone == 'a' && %");
    expect(e?.column).toBe(16);
    expect(e?.message).toContain('column 16');
    expect(validateSelector('a == "b" &')?.column).toBe(10);
    expect(validateSelector("zone == 'a")?.column).toBe(9);
    expect(validateSelector("zone is 'a'")?.message).toContain(
      "unexpected characters after label 'zone', was expecting an operator",
    );
    expect(validateSelector('(a == "foo"')?.column).toBe(12);
  });
});

describe('canonical form (Calico parser_test.go canonicalisationTests)', () => {
  const canon: [string, string][] = [
    ['', 'all()'],
    [' all() ', 'all()'],
    [' (all() )', 'all()'],
    ['! (has( b)||! has(a ))', '!(has(b) || !has(a))'],
    ['! (a == "b"&&! c != "d")', '!(a == "b" && !c != "d")'],
    [`a == "'"`, `a == "'"`],
    [`a == '"'`, `a == '"'`],
    [`a contains '"'`, `a contains '"'`],
    [`a startswith '"'`, `a starts with '"'`],
    [`a endswith "'"`, `a ends with "'"`],
    [`a!='"'`, `a != '"'`],
    ['a in {"d", "a", "b"}', 'a in {"a", "b", "d"}'],
    ['a in {"z", "z", "x", "y", "x", "a"}', 'a in {"a", "x", "y", "z"}'],
    [
      "!(!(k == 'v' && has(t) || all()) && (a in {'b', 'c'}))",
      '!(!((k == "v" && has(t)) || all()) && a in {"b", "c"})',
    ],
  ];
  for (const [input, expected] of canon) {
    it(`${JSON.stringify(input)} -> ${expected}`, () => {
      const s = parseSelector(input).toString();
      expect(s).toBe(expected);
      expect(parseSelector(s).toString()).toBe(s);
    });
  }
});

describe('selector round trip (property)', () => {
  // Random expressions from the grammar; their canonical text must parse back to a selector
  // that decides every label set the same way.
  const key = fc.constantFrom('a', 'b', 'zone', 'kubernetes.io/hostname');
  const val = fc.constantFrom('', 'x', 'y', 'node-1', "it's", 'say "hi"');
  const leaf = fc.oneof(
    fc.constant('all()'),
    key.map((k) => `has(${k})`),
    fc
      .tuple(key, fc.constantFrom('==', '!=', 'contains', 'starts with', 'ends with'), val)
      .map(([k, op, v]) => `${k} ${op} ${v.includes("'") ? `"${v}"` : `'${v}'`}`),
    fc
      .tuple(
        key,
        fc.constantFrom('in', 'not in'),
        fc.array(
          val.filter((v) => !v.includes('"')),
          { maxLength: 3 },
        ),
      )
      .map(([k, op, vs]) => `${k} ${op} {${vs.map((v) => `"${v}"`).join(', ')}}`),
  );
  const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small' },
      leaf,
      tie('e').map((e) => `!(${e})`),
      fc
        .tuple(tie('e'), fc.constantFrom('&&', '||'), tie('e'))
        .map(([a, op, b]) => `(${a}) ${op} (${b})`),
    ),
  })).e;
  const labels = fc.dictionary(key, val, { maxKeys: 4 });

  it('canonical text means the same', () => {
    fc.assert(
      fc.property(expr, fc.array(labels, { minLength: 1, maxLength: 5 }), (e, ls) => {
        const s = parseSelector(e);
        const again = parseSelector(s.toString());
        // Like Calico's, the canonical text is stable after one round ("!!x" re-parses as x).
        expect(parseSelector(again.toString()).toString()).toBe(again.toString());
        for (const l of ls) expect(again.matches(l)).toBe(s.matches(l));
      }),
      { numRuns: 300 },
    );
  });
});
