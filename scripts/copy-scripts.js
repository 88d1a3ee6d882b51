// What tsc does not copy: the runtime's shell scripts (src/**/*.sh) and the lab image's
// build files (images/bird-build.sh, images/connect-delay.patch), put into dist/ at the
// same relative paths, where the compiled modules read them (src/runtime/util/script-file.ts).
import { cpSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wanted = (path) => statSync(path).isDirectory() || /\.(sh|patch)$/.test(path);
for (const dir of ['src', 'images'])
  cpSync(join(root, dir), join(root, 'dist', dir), { recursive: true, filter: wanted });
