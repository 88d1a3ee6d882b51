import { describe, expect, it } from 'vitest';
import { buildTar } from '../../../src/runtime/tar.js';
import { firstTarFile } from '../../../src/service/lab-record.js';

describe('lab record archive', () => {
  it('reads back the file a tar holds, whatever its size relative to 512-byte blocks', () => {
    for (const size of [0, 1, 511, 512, 513, 70_000]) {
      const body = 'x'.repeat(size);
      const out = firstTarFile(buildTar([{ name: 'egress-lab-state.json', content: body }]));
      expect(out?.toString()).toBe(body);
    }
  });

  it('gives nothing for a truncated archive', () => {
    expect(firstTarFile(Buffer.alloc(100))).toBeUndefined();
  });
});
