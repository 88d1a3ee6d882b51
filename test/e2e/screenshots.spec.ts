// Screenshots of the main screens in light and dark, with a lab running and traffic
// flowing, saved as test artifacts in test-results/screenshots/ for a human to look at.
// With E2E_README_SHOTS=1 (`npm run screenshots`) the README's images are written too, to
// docs/screenshots/: topology, pools, the editor with a completion open, explain.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, startTemplate, stopLab, SCREENSHOT_DIR } from './fixtures.js';

const README_DIR = 'docs/screenshots';
const README_SHOTS = process.env.E2E_README_SHOTS === '1';
const README_SCREENS = new Set(['topology', 'pools', 'editor', 'explain']);

/** The topology's cards as drawn: no two may overlap. */
async function overlappingCards(page: Page): Promise<string[]> {
  const cards = page.locator('[data-testid^="topo-"]');
  const boxes: { id: string; x: number; y: number; width: number; height: number }[] = [];
  for (const card of await cards.all()) {
    const box = await card.boundingBox();
    if (box) boxes.push({ id: (await card.getAttribute('data-testid'))!, ...box });
  }
  const out: string[] = [];
  boxes.forEach((a, i) =>
    boxes.slice(i + 1).forEach((b) => {
      const apart =
        a.x + a.width <= b.x ||
        b.x + b.width <= a.x ||
        a.y + a.height <= b.y ||
        b.y + b.height <= a.y;
      if (!apart) out.push(`${a.id} / ${b.id}`);
    }),
  );
  return out;
}

/** Opens the schema completion in the editor: a new line under `spec:`, a prefix, Ctrl-Space. */
async function openCompletion(page: Page, template: string): Promise<void> {
  const lines = readFileSync(`lab-templates/${template}.yaml`, 'utf8').split('\n');
  const spec = lines.indexOf('spec:');
  expect(spec).toBeGreaterThan(0);
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < spec; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  // (no auto-indent after a bare `spec:`: the indentation is typed)
  await page.keyboard.type('  ho');
  await page.keyboard.press('Control+Space');
  await expect(page.locator('.cm-tooltip-autocomplete')).toContainText('hosts');
}

/** Takes the typed line back out (CodeMirror's selectLine, then delete). */
async function closeCompletion(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Alt+l');
  await page.keyboard.press('Backspace');
}

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
    [
      'topology',
      async () => {
        await expect(page.getByTestId('snat-badge')).toBeVisible();
        expect(await overlappingCards(page)).toEqual([]);
      },
    ],
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
    [
      'editor',
      async () => {
        await expect(page.getByText('✓ valid')).toBeVisible();
        await openCompletion(page, TEMPLATE);
      },
    ],
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
  const shoot = async (screen: string, theme: string) => {
    const path = `${SCREENSHOT_DIR}/${screen}-${theme}.png`;
    await page.screenshot({ path });
    if (README_SHOTS && README_SCREENS.has(screen)) {
      mkdirSync(README_DIR, { recursive: true });
      copyFileSync(path, `${README_DIR}/${screen}-${theme}.png`);
    }
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
        await shoot(screen, theme);
        await page.getByRole('button', { name: 'Cancel' }).click();
        continue;
      }
      await shoot(screen, theme);
      if (screen === 'editor') {
        await closeCompletion(page);
        await expect(page.getByText('✓ valid')).toBeVisible();
      }
    }
  }
  await stopLab(page, TEMPLATE);
});
