import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shJoin, shQuote } from '../../../src/runtime/wiring/quote.js';

describe('shQuote', () => {
  it('round-trips any string through a real POSIX shell', () => {
    const words = fc
      .sample(fc.string({ unit: 'binary', maxLength: 40 }), 300)
      .map((w) => w.replace(/\0/g, ''));
    words.push('', "'", "a'b", '$(id)', '`id`', 'a b', '\n', '*', '-n', '\\', '"', '!');
    // One shell run prints every quoted word NUL-terminated: what the shell saw.
    const script = words.map((w) => `printf '%s\\0' ${shQuote(w)}`).join('\n');
    const out = execFileSync('sh', ['-c', script]).toString('utf8');
    expect(out.split('\0').slice(0, -1)).toEqual(
      words.map((w) => Buffer.from(w, 'utf8').toString('utf8')),
    );
  });

  it('leaves plain words readable and joins argv', () => {
    expect(shQuote('eth0')).toBe('eth0');
    expect(shJoin(['ip', 'link', 'add', "it's"])).toBe(`ip link add 'it'\\''s'`);
  });
});
