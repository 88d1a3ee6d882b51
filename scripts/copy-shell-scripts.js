// Part of `npm run build`: tsc compiles src/ to dist/src/ but copies nothing else, so the
// shell scripts the runtime reads next to its modules (src/runtime/util/script-file.ts)
// are copied to the same relative places under dist/src/.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'src');
const to = join(root, 'dist', 'src');
let n = 0;
for (const entry of readdirSync(from, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.sh')) continue;
  const src = join(entry.parentPath, entry.name);
  const dst = join(to, relative(from, src));
  mkdirSync(dirname(dst), { recursive: true });
  copyFileSync(src, dst);
  n++;
}
console.log(`copied ${n} shell script${n === 1 ? '' : 's'} to dist/src`);
