import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readScript } from '../../../src/runtime/util/script-file.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && ext.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('readScript', () => {
  it('reads a file relative to the calling module', () => {
    expect(readScript('./script-file.test.ts', import.meta.url)).toContain("describe('readScript'");
  });

  it('is called for every .sh file under src/ and finds each file it names', () => {
    const read = new Set<string>();
    for (const ts of files(join(root, 'src'), /\.ts$/)) {
      for (const m of readFileSync(ts, 'utf8').matchAll(
        /readScript\('([^']+)', import\.meta\.url\)/g,
      ))
        read.add(resolve(ts, '..', m[1]!));
    }
    const shipped = files(join(root, 'src'), /\.sh$/);
    expect(shipped.length).toBeGreaterThan(5);
    for (const sh of shipped) expect(read, relative(root, sh)).toContain(sh);
    for (const f of read) expect(() => readFileSync(f), relative(root, f)).not.toThrow();
  });
});
