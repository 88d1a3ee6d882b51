// The runtime's constant shell scripts are .sh files next to the modules that run them,
// so shellcheck lints them (`npm run lint`) and tests run them on their own. A module reads
// its scripts once, when it is loaded, by a path relative to itself: from the TypeScript
// sources (vitest), from dist/ (`npm run build` copies src/**/*.sh and images/ build files
// there, scripts/copy-scripts.js) and from the packaged app (electron-builder.yml ships them;
// Electron's fs reads the asar). A missing file fails at start-up, not in the middle of `up`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The text of the file at `relative` (e.g. './carrier-wait.sh') from `from` (the caller's import.meta.url). */
export function readScript(relative: string, from: string): string {
  // A path, not a URL: Electron's asar reader takes paths.
  const path = fileURLToPath(new URL(relative, from));
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(
      `shell script ${path} is missing: \`npm run build\` copies the scripts next to the compiled code`,
      { cause: e },
    );
  }
}
