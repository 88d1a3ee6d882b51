// Shell scripts the runtime runs inside containers live as real .sh files (linted by
// shellcheck, tested on their own) next to the module that sends them: under src/ when the
// TypeScript runs as is (tests), under dist/src/ once built (`npm run build` copies every
// src/**/*.sh there: scripts/copy-shell-scripts.js; electron-builder packs dist/src/**/*.sh).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The text of a script shipped with the package, e.g.
 * `readScript(new URL('./apply.sh', import.meta.url))`. Read once, at module load by its
 * user: a missing file fails at start-up, not in the middle of an `up`.
 */
export function readScript(url: URL): string {
  try {
    return readFileSync(fileURLToPath(url), 'utf8');
  } catch (e) {
    throw new Error(
      `shell script ${fileURLToPath(url)} is missing: \`npm run build\` copies the scripts next to the compiled code`,
      { cause: e },
    );
  }
}
