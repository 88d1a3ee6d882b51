// The desktop app itself, driven through Playwright's Electron support. Needs an
// Electron binary (node_modules/electron/dist) and the compiled main process
// (npm run build); where either is missing this says so loudly and skips.
import { _electron as electron } from '@playwright/test';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test, expect } from '@playwright/test';

function electronBinary(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown as string;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const mainJs = 'dist/electron/main.js';
const missing = !binary
  ? 'no Electron binary (node_modules/electron/dist is missing; install electron without ELECTRON_SKIP_BINARY_DOWNLOAD)'
  : !existsSync(mainJs)
    ? `${mainJs} is missing (run npm run build)`
    : null;

if (missing) {
  console.warn(`\n!!! ELECTRON TESTS SKIPPED: ${missing}. Only browser mode was tested.\n`);
}

test.describe('Electron app', () => {
  test.skip(missing !== null, `ELECTRON NOT TESTED: ${missing}`);

  test('opens hardened, shows the template gallery, and exposes only the intent-level bridge', async () => {
    const app = await electron.launch({
      executablePath: binary!,
      args: [mainJs],
      env: { ...process.env, EGRESS_LAB_E2E: '1' },
    });
    try {
      const window = await app.firstWindow();
      await expect(window.getByRole('heading', { name: 'Egress Lab' })).toBeVisible();
      await expect(window.getByRole('heading', { name: 'Lab templates' })).toBeVisible();
      const bridge = await window.evaluate(() =>
        Object.keys((window as unknown as { egressLab: object }).egressLab).sort(),
      );
      expect(bridge).toEqual(['call', 'on']);
      const nodeVisible = await window.evaluate(
        () => typeof (globalThis as { require?: unknown }).require,
      );
      expect(nodeVisible).toBe('undefined');
      // No Node in the page: nodeIntegration off, context isolated.
      expect(
        await window.evaluate(() => typeof (globalThis as { process?: unknown }).process),
      ).toBe('undefined');
      // Navigation away is refused.
      await window.evaluate(() => (location.href = 'https://example.invalid/'));
      await expect(window.getByRole('heading', { name: 'Egress Lab' })).toBeVisible();
    } finally {
      await app.close();
    }
  });
});
