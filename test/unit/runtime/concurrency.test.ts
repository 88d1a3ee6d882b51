import { describe, expect, it } from 'vitest';
import { KeyedQueue } from '../../../src/runtime/util/concurrency.js';

describe('KeyedQueue', () => {
  it('runs one key in call order, other keys alongside, and survives a failure', async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    const task =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`${name}+`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name}-`);
        if (fail) throw new Error(name);
        return name;
      };
    const a1 = q.run('a', task('a1', 30, true));
    const a2 = q.run('a', task('a2', 5));
    const b1 = q.run('b', task('b1', 5));
    await expect(a1).rejects.toThrow('a1');
    await expect(a2).resolves.toBe('a2');
    await expect(b1).resolves.toBe('b1');
    expect(log.indexOf('a2+')).toBeGreaterThan(log.indexOf('a1-'));
    expect(log.indexOf('b1+')).toBeLessThan(log.indexOf('a1-'));
  });
});
