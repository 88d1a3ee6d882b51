// The desktop app's own hardening, seen from its window. Runs in the "electron"
// project; without an Electron binary it is skipped and says so loudly.
import { test, expect, electronBinary, warnElectronMissing } from './fixtures.js';

const bin = electronBinary();
if ('missing' in bin) warnElectronMissing(bin.missing);

test.describe('Electron window', () => {
  test.skip(({ target }) => target !== 'electron', 'runs in the electron project');
  test.skip('missing' in bin, `ELECTRON NOT TESTED: ${'missing' in bin ? bin.missing : ''}`);

  test('is hardened and exposes only the intent-level bridge', async ({ page }) => {
    await expect(page.getByRole('heading', { name: 'Egress Lab' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Lab templates' })).toBeVisible();
    const bridge = await page.evaluate(() =>
      Object.keys((window as unknown as { egressLab: object }).egressLab).sort(),
    );
    expect(bridge).toEqual(['call', 'on']);
    // No Node in the page: nodeIntegration off, context isolated.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe(
      'undefined',
    );
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe(
      'undefined',
    );
    // Navigation away is refused; the app stays.
    await page.evaluate(() => (location.href = 'https://example.invalid/'));
    await expect(page.getByRole('heading', { name: 'Egress Lab' })).toBeVisible();
    expect(page.url()).toMatch(/^app:\/\/egress-lab\//);
  });
});
