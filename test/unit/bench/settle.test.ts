// The bench's wait for a quiet machine: ends once two windows were quiet, and never
// waits past its bound on a machine that stays busy.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settle } from '../../../bench/lib/settle.js';

describe.skipIf(!existsSync('/proc/stat'))('settle', () => {
  it('ends after two quiet windows when any load counts as quiet', async () => {
    const waited = await settle(1.01, 5000);
    expect(waited).toBeGreaterThanOrEqual(90);
    expect(waited).toBeLessThan(2000);
  });

  it('gives up at its bound when no load counts as quiet', async () => {
    const waited = await settle(-1, 300);
    expect(waited).toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(3000);
  });
});
