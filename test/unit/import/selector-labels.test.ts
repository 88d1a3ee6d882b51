import { describe, expect, test } from 'vitest';
import { matchesSelector, SelectorSyntaxError } from '../../../src/core/calico/selector.js';
import { labelsSatisfying } from '../../../src/core/import/selector-labels.js';

describe('labelsSatisfying', () => {
  test.each([
    'all()',
    "rack == 'a'",
    "has(edge) && zone in {'x','y'}",
    "zone != 'a'",
    "!has(x) || x == 'b'",
    "rack == 'r2' && !has(edge)",
    "name starts with 'gpu' && name ends with 'u'",
    "(a == '1' || b == '2') && !(a == '1')",
    "tier not in {'web'} && has(tier)",
  ])('%s: the labels found are selected by it', (expr) => {
    const labels = labelsSatisfying(expr);
    expect(labels).toBeDefined();
    expect(matchesSelector(expr, labels!)).toBe(true);
  });

  test('fewest labels first', () => {
    expect(labelsSatisfying('all()')).toEqual({});
    expect(labelsSatisfying("zone != 'a'")).toEqual({});
    expect(labelsSatisfying("rack == 'a'")).toEqual({ rack: 'a' });
  });

  test('labels already there are kept, and can make it impossible', () => {
    expect(labelsSatisfying("zone == 'b'", { rack: 'r1' })).toEqual({ rack: 'r1', zone: 'b' });
    expect(labelsSatisfying("rack == 'r2'", { rack: 'r1' })).toBeUndefined();
  });

  test('nothing satisfies !all() or a contradiction', () => {
    expect(labelsSatisfying('!all()')).toBeUndefined();
    expect(labelsSatisfying("a == 'x' && a == 'y'")).toBeUndefined();
  });

  test('a bad selector throws the parser error', () => {
    expect(() => labelsSatisfying("rack == 'a")).toThrow(SelectorSyntaxError);
  });
});
