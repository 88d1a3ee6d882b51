// The workshop flow in browser mode: open a template, start it, see pods and
// addresses, toggle natOutgoing under continuous ping and watch the captured source
// change from the node's address to the pod's (and replies stop), flip a disabled
// pool, see a YAML error inline. The lab service is the real one, over a simulated
// runtime or a real lab (EGRESS_E2E_REAL=1); names come from env so the spec can
// follow other templates.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, go, startTemplate, stopLab } from './fixtures.js';

const TEMPLATE = process.env.E2E_TEMPLATE ?? 'outgoing-nat';
const DISABLED_TEMPLATE = process.env.E2E_DISABLED_TEMPLATE ?? 'nat-only-to-some-ranges';
const NAT_POOL = process.env.E2E_NAT_POOL ?? 'default-ipv4-ippool';
const DISABLED_POOL = process.env.E2E_DISABLED_POOL ?? 'no-nat-10.0.0.0-8';
const POD = process.env.E2E_POD ?? 'web-1';
const NODE = process.env.E2E_NODE ?? 'node-1';
const HOST = process.env.E2E_HOST ?? 'internet';

let started: string | null = null;
test.afterEach(async ({ page }) => {
  if (started) await stopLab(page, started);
  started = null;
});

async function start(page: Page, url: string, template: string): Promise<void> {
  started = template;
  await startTemplate(page, url, template);
}

/** Conntrack keeps running flows on their old translation: flush so the next packet takes the new rules. */
async function flushConntrack(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Flush conntrack on every node' }).click();
  await expect(page.getByText(/Flushed \d+ conntrack entr/)).toBeVisible();
}

test('starts a template with step-by-step progress and shows pods with addresses', async ({
  page,
  app,
}) => {
  await start(page, app.url, TEMPLATE);
  const progress = page.getByRole('list', { name: 'Progress' });
  await expect(progress.getByRole('listitem').first()).toBeVisible();
  await expect(progress.getByRole('listitem').filter({ hasText: '✓' }).first()).toBeVisible();

  await go(page, 'Topology');
  const pod = page.getByTestId(`topo-${POD}`);
  await expect(pod).toBeVisible();
  await expect(pod).toContainText(/\d+\.\d+\.\d+\.\d+/);
  await expect(page.getByTestId(`topo-${NODE}`)).toContainText(/\d+\.\d+\.\d+\.\d+/);
});

test('natOutgoing off under continuous ping: the capture shows the pod address and replies stop', async ({
  page,
  app,
  target,
}) => {
  await start(page, app.url, TEMPLATE);

  await go(page, 'Traffic');
  await page.getByLabel('From pod').selectOption(POD);
  await page.getByLabel('Destination').fill(HOST);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const flow = page.getByTestId('flow').first();
  await expect(flow.getByTestId('received')).not.toHaveText('0');

  await go(page, 'Captures');
  const pane = page.getByTestId('capture-pane').first();
  await pane.getByLabel('Container').selectOption(HOST);
  await pane.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(pane.getByTestId('last-source')).toContainText(`node ${NODE}`);
  await expect(pane.getByTestId('capture-output')).toContainText('ICMP');

  await go(page, 'Pools');
  const sw = page.getByRole('switch', { name: `natOutgoing ${NAT_POOL}` });
  await expect(sw).toHaveAttribute('aria-checked', 'true');
  await sw.click();
  const preview = page.getByRole('region', { name: 'Change preview' });
  await expect(preview).toContainText('MASQUERADE');
  await preview.getByRole('button', { name: 'Apply' }).click();
  await expect(sw).toHaveAttribute('aria-checked', 'false');
  await expect(page.getByRole('status').filter({ hasText: 'Successfully patched' })).toBeVisible();

  // The running ping keeps its translation (conntrack), as on a real node...
  await go(page, 'Captures');
  await expect(pane.getByTestId('last-source')).toContainText(`node ${NODE}`);
  // ...until its entry is flushed: then the host sees the pod's own address.
  await go(page, 'Pools');
  await flushConntrack(page);
  await go(page, 'Captures');
  await expect(pane.getByTestId('last-source')).toContainText(`pod ${POD}`);

  // Replies stop: the received count stays put while sent keeps growing.
  await go(page, 'Traffic');
  const received = Number(await flow.getByTestId('received').textContent());
  const sent = Number(await flow.getByTestId('sent').textContent());
  await expect
    .poll(async () => Number(await flow.getByTestId('sent').textContent()))
    .toBeGreaterThan(sent + 3);
  expect(Number(await flow.getByTestId('received').textContent())).toBeLessThanOrEqual(
    received + 1,
  );
  await expect(flow).toContainText('replies missing');

  // And back on: the node's address again.
  await go(page, 'Pools');
  await page.getByLabel('Apply at once (no preview)').check();
  await sw.click();
  await expect(sw).toHaveAttribute('aria-checked', 'true');
  await flushConntrack(page);
  await go(page, 'Captures');
  await expect(pane.getByTestId('last-source')).toContainText(`node ${NODE}`);
  // Save pcap: built from the service's pieces, a real pcap with the packets so far.
  // (Electron saves through its own dialog, which Playwright cannot drive.)
  if (target === 'browser') {
    const download = page.waitForEvent('download');
    await pane.getByRole('button', { name: 'Save pcap' }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toMatch(/\.pcap$/);
    const bytes = readFileSync(await saved.path());
    expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4); // pcap magic, microsecond timestamps
    expect(bytes.length).toBeGreaterThan(24 + 16 + 20); // at least one record
  }
  await pane.getByRole('button', { name: 'Stop', exact: true }).click();
});

test('flips a disabled pool after previewing its rule diff', async ({ page, app }) => {
  await start(page, app.url, DISABLED_TEMPLATE);
  await go(page, 'Pools');
  const sw = page.getByRole('switch', { name: `disabled ${DISABLED_POOL}` });
  const before = await sw.getAttribute('aria-checked');
  await sw.click();
  await expect(page.getByRole('region', { name: 'Change preview' })).toBeVisible();
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(sw).toHaveAttribute('aria-checked', before === 'true' ? 'false' : 'true');
});

test('shows a YAML error inline at its line', async ({ page, app }) => {
  await page.goto(app.url);
  await page.getByRole('button', { name: `Open ${TEMPLATE} in the editor` }).click();
  const editor = page.getByRole('textbox', { name: 'Lab file (YAML)' });
  await expect(editor).toContainText('natOutgoing');
  await expect(page.getByRole('status').filter({ hasText: 'valid' })).toBeVisible();

  // Append a pool whose natOutgoing is not a boolean. (CodeMirror renders only the
  // lines in view, so the edit goes at the end, where the cursor scrolls.)
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText(
    '\n---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: broken-pool\nspec:\n  cidr: 10.99.0.0/16\n  natOutgoing: maybe\n',
  );

  await expect(page.locator('.cm-lintRange-error').first()).toBeVisible();
  await expect(page.locator('.cm-lintRange-error').first()).toContainText('maybe');
  const problems = page.getByRole('list', { name: 'Problems' });
  await expect(problems).toContainText('natOutgoing');
  await expect(problems).toContainText(/\d+:\d+/);
  await expect(page.getByRole('button', { name: 'Start lab' })).toBeDisabled();
});
