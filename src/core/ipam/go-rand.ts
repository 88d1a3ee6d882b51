// Go's math/rand seeded source (rngSource: an additive lagged Fibonacci generator, Mitchell and
// Reeds) and math/big's Int.Rand, bit for bit, because Calico picks a node's first block with
// them (libcalico-go/lib/ipam/ipam_block_reader_writer.go: rand.New(rand.NewSource(seed)), then
// new(big.Int).Rand). Go promises seeded sources give the same sequence in every release.
// Written from Go's src/math/rand/rng.go, rand.go and src/math/big/nat.go (nat.random).
import { RNG_COOKED } from './go-rand-cooked.js';

const RNG_LEN = 607;
const RNG_TAP = 273;
const INT32_MAX = 2 ** 31 - 1;
const MASK_63 = (1n << 63n) - 1n;

/** seedrand: x[n+1] = 48271 * x[n] mod (2**31 - 1), by Schrage's method as Go writes it. */
function seedrand(x: number): number {
  const hi = Math.trunc(x / 44488);
  const lo = x % 44488;
  let next = 48271 * lo - 3399 * hi;
  if (next < 0) next += INT32_MAX;
  return next;
}

/** `rand.New(rand.NewSource(seed))` of Go's math/rand (v1). */
export class GoRand {
  private readonly vec = new BigInt64Array(RNG_LEN);
  private tap = 0;
  private feed = RNG_LEN - RNG_TAP;

  constructor(seed: bigint) {
    let s = seed % BigInt(INT32_MAX);
    if (s < 0n) s += BigInt(INT32_MAX);
    if (s === 0n) s = 89482311n;
    let x = Number(s);
    for (let i = -20; i < RNG_LEN; i++) {
      x = seedrand(x);
      if (i >= 0) {
        let u = BigInt.asIntN(64, BigInt(x) << 40n);
        x = seedrand(x);
        u ^= BigInt.asIntN(64, BigInt(x) << 20n);
        x = seedrand(x);
        u ^= BigInt(x);
        u ^= RNG_COOKED[i]!;
        this.vec[i] = u;
      }
    }
  }

  /** rngSource.Uint64: the sum (mod 2**64) of the tap and feed registers. */
  uint64(): bigint {
    if (--this.tap < 0) this.tap += RNG_LEN;
    if (--this.feed < 0) this.feed += RNG_LEN;
    const x = BigInt.asIntN(64, this.vec[this.feed]! + this.vec[this.tap]!);
    this.vec[this.feed] = x;
    return BigInt.asUintN(64, x);
  }

  int63(): bigint {
    return this.uint64() & MASK_63;
  }

  /** Rand.Uint32: the top 32 of Int63's 63 bits. */
  uint32(): number {
    return Number(this.int63() >> 31n);
  }

  /**
   * `new(big.Int).Rand(r, limit)` for 0 < limit < 2**64 (one 64-bit word: every IPv4 block
   * count): words of two Uint32 draws (low, then high), masked to limit's bit length, drawn
   * again until below limit.
   */
  bigIntRand(limit: bigint): bigint {
    if (limit <= 0n) return 0n;
    if (limit >= 1n << 64n) throw new RangeError('bigIntRand: limit over one 64-bit word');
    const bits = BigInt(limit.toString(2).length);
    const mask = (1n << bits) - 1n;
    for (;;) {
      const low = BigInt(this.uint32());
      const high = BigInt(this.uint32());
      const z = (low | (high << 32n)) & mask;
      if (z < limit) return z;
    }
  }
}

/** Go's hash/fnv New32 (FNV-1, not FNV-1a) over the UTF-8 bytes of `text`. */
export function fnv1_32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ byte) >>> 0;
  }
  return h;
}
