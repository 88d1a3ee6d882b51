// The lab's port of Calico's first-block choice against values Go itself computed: the
// fixture was made by test/fixtures/ipam/go-random-blocks.go.txt (go run, Go 1.19's math/rand
// and math/big: the same FNV-1 seed, NewSource and big.Int.Rand steps randomBlockGenerator
// takes), not by the code under test.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { GoRand, fnv1_32 } from '../../../src/core/ipam/go-rand.js';
import { blockOrder, blockWalk } from '../../../src/core/ipam/random-block.js';

interface Sample {
  host: string;
  pool: string;
  blockSize: number;
  seed: number;
  uint32s: number[];
  start: number;
}
const samples = JSON.parse(
  readFileSync(new URL('../../fixtures/ipam/go-random-blocks.json', import.meta.url), 'utf8'),
) as Sample[];

describe("Go's math/rand and math/big, bit for bit", () => {
  test('the fixture covers many hosts and pools', () => {
    expect(samples.length).toBeGreaterThanOrEqual(80);
    expect(new Set(samples.map((s) => s.start)).size).toBeGreaterThan(20);
  });

  test.each(samples.filter((s) => s.pool === '192.168.0.0/16'))(
    'seed and first draws for host "$host"',
    (s) => {
      expect(fnv1_32(s.host)).toBe(s.seed);
      const r = new GoRand(BigInt(s.seed));
      expect(s.uint32s.map(() => r.uint32())).toEqual(s.uint32s);
    },
  );

  test('every sample: the first block index Go draws', () => {
    const got = samples.map((s) => ({
      host: s.host,
      pool: s.pool,
      start: new GoRand(BigInt(fnv1_32(s.host))).bigIntRand(
        BigInt(2 ** (s.blockSize - Number(s.pool.split('/')[1]))),
      ),
    }));
    expect(got.map((g) => Number(g.start))).toEqual(samples.map((s) => s.start));
  });

  test('a draw over the mask is drawn again (limit 3 of a 2-bit mask)', () => {
    const r = new GoRand(1n);
    const probe = new GoRand(1n);
    let low = probe.uint32();
    probe.uint32();
    while ((low & 3) === 3) {
      low = probe.uint32();
      probe.uint32();
    }
    const expected = low & 3;
    expect(Number(r.bigIntRand(3n))).toBe(expected);
  });
});

describe('blockWalk', () => {
  test('node-1 in the default pool starts at 192.168.84.128/26 (index 338), as in a real cluster', () => {
    const w = blockWalk('192.168.0.0/16', 26, 'node-1');
    expect(w).toEqual({ start: 338, count: 1024, reproducible: true });
  });

  test('the walk visits every block once, wrapping past the end', () => {
    const w = blockWalk('10.10.0.0/24', 26, 'testHost');
    const order = [...blockOrder(w)];
    expect([...order].sort()).toEqual([0, 1, 2, 3]);
    expect(order[0]).toBe(w.start);
    expect(order[1]).toBe((w.start + 1) % 4);
  });

  test('/32 blocks are seeded from the clock in Calico: not reproducible, the lab starts at 0', () => {
    expect(blockWalk('10.0.0.0/30', 32, 'node-1')).toEqual({
      start: 0,
      count: 4,
      reproducible: false,
    });
  });
});
