import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Demuxer, LineSplitter } from '../../../src/runtime/engine/demux.js';

function frame(kind: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = kind;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
}

describe('Demuxer', () => {
  it('splits stdout and stderr however the chunks fall', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(1, 2), fc.uint8Array({ maxLength: 50 })), {
          maxLength: 10,
        }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 20 }),
        (frames, cuts) => {
          const whole = Buffer.concat(frames.map(([k, p]) => frame(k, Buffer.from(p))));
          const out: Buffer[] = [];
          const err: Buffer[] = [];
          const d = new Demuxer(
            (b) => out.push(Buffer.from(b)),
            (b) => err.push(Buffer.from(b)),
          );
          let at = 0;
          let i = 0;
          while (at < whole.length) {
            const n = cuts[i++ % cuts.length]!;
            d.push(whole.subarray(at, at + n));
            at += n;
          }
          const want = (k: number): Buffer =>
            Buffer.concat(frames.filter(([x]) => x === k).map(([, p]) => Buffer.from(p)));
          expect(Buffer.concat(out).equals(want(1))).toBe(true);
          expect(Buffer.concat(err).equals(want(2))).toBe(true);
        },
      ),
    );
  });
});

describe('LineSplitter', () => {
  it('emits whole lines only, strips CR, flushes the tail at end', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('12:00:00.1 IP 1.2.3.4 > 5.6');
    s.push('.7.8: ICMP echo request\r\nsecond\n');
    s.push('tail');
    expect(lines).toEqual(['12:00:00.1 IP 1.2.3.4 > 5.6.7.8: ICMP echo request', 'second']);
    s.end();
    expect(lines[2]).toBe('tail');
  });
});
