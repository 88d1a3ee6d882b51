// `egress-lab --version`: the version in the project's package.json, found by walking up from
// this module (src/shells/cli under tests, dist/src/shells/cli when built), read synchronously
// with node:fs alone so the help path stays light.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function cliVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'egress-lab' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look one level up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
