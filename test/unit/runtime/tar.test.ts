import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTar } from '../../../src/runtime/engine/tar.js';

describe('buildTar', () => {
  it('writes an archive GNU tar extracts byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tar-test-'));
    try {
      const big = Buffer.alloc(1500, 7);
      const tar = buildTar([
        { name: 'Dockerfile', content: 'FROM scratch\n' },
        { name: 'empty', content: '' },
        { name: 'big.bin', content: big, mode: 0o755 },
      ]);
      expect(tar.length % 512).toBe(0);
      execFileSync('tar', ['-x', '-C', dir], { input: tar });
      expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe('FROM scratch\n');
      expect(readFileSync(join(dir, 'empty'), 'utf8')).toBe('');
      expect(readFileSync(join(dir, 'big.bin')).equals(big)).toBe(true);
      expect(statSync(join(dir, 'big.bin')).mode & 0o777).toBe(0o755);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses names it cannot store', () => {
    expect(() => buildTar([{ name: 'x'.repeat(101), content: '' }])).toThrow(/too long/);
  });
});
