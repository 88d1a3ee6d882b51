// The order in which Calico's IPAM tries a pool's blocks for a host (randomBlockGenerator in
// libcalico-go/lib/ipam/ipam_block_reader_writer.go): from a start index drawn with Go's
// math/rand seeded by the FNV-1 32-bit hash of the host name (determineSeed), then every block
// once, wrapping past the pool's end. The same host name gives the same start in Calico and in
// the lab, so a node's first block is the one the real cluster gives a node of that name.
import { cidrSize, parseCidr4 } from '../net/cidr.js';
import { GoRand, fnv1_32 } from './go-rand.js';

export interface BlockWalk {
  /** Index of the first block tried (block i starts at pool base + i * block size). */
  start: number;
  /** Blocks in the pool. */
  count: number;
  /**
   * False for /32 blocks: Calico seeds those from the clock (determineSeed), so no one can
   * predict them; the lab then starts at the pool's first block.
   */
  reproducible: boolean;
}

const cache = new Map<string, BlockWalk>();

export function blockWalk(poolCidr: string, blockSize: number, host: string): BlockWalk {
  const key = `${poolCidr}|${blockSize}|${host}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const pool = parseCidr4(poolCidr);
  const count = blockSize >= pool.prefix ? cidrSize(pool.prefix) / cidrSize(blockSize) : 0;
  let walk: BlockWalk;
  if (blockSize === 32) walk = { start: 0, count, reproducible: false };
  else {
    const rand = new GoRand(BigInt(fnv1_32(host)));
    walk = { start: Number(rand.bigIntRand(BigInt(count))), count, reproducible: true };
  }
  if (cache.size > 4096) cache.clear();
  cache.set(key, walk);
  return walk;
}

/** Block indexes in the order Calico tries them: start, start + 1, …, wrapping to 0. */
export function* blockOrder(walk: BlockWalk): Generator<number> {
  for (let n = 0; n < walk.count; n++) yield (walk.start + n) % walk.count;
}
