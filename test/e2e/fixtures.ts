// A browser-mode server per test worker: the built renderer plus the chosen service,
// on 127.0.0.1 with its token. Pages open `app.url`.
import { test as base, expect, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../../src/shells/server/server.js';
import { createTestService, type TestService } from './service-factory.js';

export const rendererDir = fileURLToPath(new URL('../../renderer/dist', import.meta.url));

interface Fixtures {
  app: RunningServer & { service: TestService };
}

export const test = base.extend<{ pageErrors: string[] }, Fixtures>({
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
  app: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form
    async ({}, use) => {
      const service = await createTestService();
      const server = await startServer({ service, rendererDir });
      await use({ ...server, service });
      await server.close();
      await service.close();
    },
    { scope: 'worker' },
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

export const SCREENSHOT_DIR = 'test-results/screenshots';
