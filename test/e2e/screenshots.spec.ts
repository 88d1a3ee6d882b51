// Screenshots of the main screens in light and dark, with a lab running and traffic
// flowing, saved as test artifacts in test-results/screenshots/ for a human to look at.
import { mkdirSync } from 'node:fs';
import { test, expect, startTemplate, stopLab, SCREENSHOT_DIR } from './fixtures.js';

const TEMPLATE = process.env.E2E_TEMPLATE ?? 'outgoing-nat';
const POD = process.env.E2E_POD ?? 'web-1';
const HOST = process.env.E2E_HOST ?? 'internet';

test('main screens, light and dark', async ({ page, app }) => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.emulateMedia({ colorScheme: 'light' });
  await startTemplate(page, app.url, TEMPLATE);

  await page.getByRole('button', { name: 'Traffic' }).click();
  await page.getByLabel('From pod').selectOption(POD);
  await page.getByLabel('Destination').fill(HOST);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByRole('button', { name: 'Captures' }).click();
  const pane = page.getByTestId('capture-pane').first();
  await pane.getByLabel('Container').selectOption(HOST);
  await pane.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(pane.getByTestId('last-source')).toBeVisible();

  // Each screen waits for its data, so the shot shows the screen, not its loading state.
  const shots: [string, () => Promise<void>][] = [
    [
      'gallery',
      async () =>
        void (await expect(page.getByRole('button', { name: /^Start / }).first()).toBeVisible()),
    ],
    ['topology', async () => void (await expect(page.getByTestId('snat-badge')).toBeVisible())],
    [
      'pools',
      async () => {
        await page.getByRole('switch').first().click();
        await expect(page.getByRole('region', { name: 'Change preview' })).toBeVisible();
      },
    ],
    [
      'traffic',
      async () => void (await expect(page.getByTestId('received').first()).not.toHaveText('0')),
    ],
    [
      'captures',
      async () =>
        void (await expect(page.getByTestId('capture-output').first()).toContainText('ICMP')),
    ],
    [
      'rules',
      async () => {
        await expect(
          page.getByRole('region', { name: 'NAT rule counters' }).locator('tbody tr').first(),
        ).toBeVisible();
        await expect(
          page.getByRole('region', { name: 'Conntrack' }).locator('tbody tr').first(),
        ).toBeVisible();
      },
    ],
    ['editor', async () => void (await expect(page.getByText('✓ valid')).toBeVisible())],
    [
      'explain',
      async () => {
        await page.getByRole('button', { name: 'Explain', exact: true }).last().click();
        await expect(page.getByRole('region', { name: 'Decision' })).toBeVisible();
      },
    ],
  ];
  const labels: Record<string, string> = {
    gallery: 'Templates',
    topology: 'Topology',
    pools: 'Pools',
    traffic: 'Traffic',
    captures: 'Captures',
    rules: 'Rules & conntrack',
    editor: 'YAML',
    explain: 'Explain',
  };
  for (const theme of ['light', 'dark'] as const) {
    const toggle = page.getByRole('button', { name: /Dark|Light/ });
    if ((await toggle.getAttribute('aria-pressed')) !== String(theme === 'dark'))
      await toggle.click();
    for (const [screen, prepare] of shots) {
      await page
        .getByRole('navigation', { name: 'Screens' })
        .getByRole('button', { name: labels[screen] })
        .click();
      await prepare();
      if (
        screen === 'pools' &&
        (await page.getByRole('region', { name: 'Change preview' }).isVisible())
      ) {
        // Leave the preview open for the shot, then cancel so the next theme starts clean.
        await page.screenshot({ path: `${SCREENSHOT_DIR}/${screen}-${theme}.png` });
        await page.getByRole('button', { name: 'Cancel' }).click();
        continue;
      }
      await page.screenshot({ path: `${SCREENSHOT_DIR}/${screen}-${theme}.png` });
    }
  }
  await stopLab(page, TEMPLATE);
});
