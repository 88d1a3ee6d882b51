// What the specs drive: by default browser mode (a server per test worker with the
// built renderer and the lab service over the chosen runtime, on 127.0.0.1 with its
// token; pages open `app.url`). In the "electron" project the same specs drive the desktop app's window
// instead (its main process runs the real service); without an Electron binary those
// tests are skipped, loudly.
import {
  _electron,
  test as base,
  expect,
  type ElectronApplication,
  type Page,
} from '@playwright/test';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../src/shells/server/server.js';
import { createTestService, type TestService } from './service-factory.js';

export const rendererDir = fileURLToPath(new URL('../../renderer/dist', import.meta.url));
const electronMain = fileURLToPath(new URL('../../dist/electron/main.js', import.meta.url));

export type Target = 'browser' | 'electron';

export interface AppUnderTest {
  url: string;
  service?: TestService; // browser mode only
}

/** The Electron binary, or why the desktop app cannot be tested here. */
export function electronBinary(): { path: string } | { missing: string } {
  let path: unknown;
  try {
    path = createRequire(import.meta.url)('electron');
  } catch {
    path = null;
  }
  if (typeof path !== 'string' || !existsSync(path)) {
    return {
      missing:
        'no Electron binary (node_modules/electron/dist is missing; install electron without ELECTRON_SKIP_BINARY_DOWNLOAD)',
    };
  }
  if (!existsSync(electronMain))
    return { missing: `${electronMain} is missing (run npm run build)` };
  return { path };
}

export function warnElectronMissing(reason: string): void {
  console.warn(`\n!!! ELECTRON NOT TESTED: ${reason}. Only browser mode was tested.\n`);
}

interface WorkerFixtures {
  target: Target;
  electronApp: ElectronApplication | null;
  app: AppUnderTest;
}

export const test = base.extend<{ pageErrors: string[] }, WorkerFixtures>({
  target: ['browser', { option: true, scope: 'worker' }],
  electronApp: [
    async ({ target }, use) => {
      const bin = target === 'electron' ? electronBinary() : null;
      if (!bin || 'missing' in bin) {
        if (bin) warnElectronMissing(bin.missing);
        await use(null);
        return;
      }
      const app = await _electron.launch({ executablePath: bin.path, args: [electronMain] });
      await use(app);
      await app.close();
    },
    { scope: 'worker' },
  ],
  app: [
    async ({ target }, use) => {
      if (target === 'electron') {
        await use({ url: 'app://egress-lab/index.html' });
        return;
      }
      const service = createTestService();
      const server = await startServer({ service, rendererDir });
      await use({ url: server.url, service });
      await server.close();
      await service.close();
    },
    { scope: 'worker' },
  ],
  page: async ({ target, electronApp, page }, use, testInfo) => {
    if (target !== 'electron') return use(page);
    const bin = electronBinary();
    testInfo.skip(
      !electronApp,
      `ELECTRON NOT TESTED: ${'missing' in bin ? bin.missing : 'launch failed'}`,
    );
    await use(await electronApp!.firstWindow());
  },
  // Page errors and console errors are printed, and fail the test: a blank screen
  // should say why.
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.stack ?? e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      await use(errors);
      if (errors.length) console.log(errors.join('\n'));
      expect(errors, 'errors in the page').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/**
 * Opens the app and starts a template from the gallery, waiting until it runs. The
 * lab is named after the template (its metadata.name). Other labs may be running on
 * the same engine; the header then also offers a picker, and shows the one started.
 */
export async function startTemplate(page: Page, url: string, template: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('button', { name: `Start ${template}` }).click();
  await expect(page.getByTestId('lab-badge')).toContainText(`${template} running`, {
    timeout: 240_000,
  });
}

/** Stops the lab started from `template` if it is the one shown. */
export async function stopLab(page: Page, template: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: 'Templates' })
    .click();
  const badge = page.getByTestId('lab-badge');
  if (!((await badge.textContent()) ?? '').includes(`${template} running`)) return;
  await page.getByRole('button', { name: 'Stop lab' }).click();
  await expect(badge).not.toContainText(`${template} running`, { timeout: 120_000 });
}

/** Switches screens through the navigation bar. */
export async function go(page: Page, screen: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: screen, exact: true })
    .click();
}

export const SCREENSHOT_DIR =
  process.env.EGRESS_E2E_REAL === '1'
    ? 'test-results/screenshots-real'
    : 'test-results/screenshots';
