// Workshops in browser mode (issue 18): two copies of outgoing-nat, a token per lab. A student
// passes a step, fails a check and sees why, flips the pool and passes, resets the step (the
// lab back at its checkpoint, so the check fails again); another student's token reaches
// neither that lab nor the instructor's view; the instructor's view shows both labs, live.
// Runs over the simulated runtime by default and over a real lab with EGRESS_E2E_REAL=1
// (captures and replies then come from tcpdump and ping in the containers).
import { readFileSync, mkdirSync, copyFileSync } from 'node:fs';
import type { Browser, Page } from '@playwright/test';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../src/shells/server/server.js';
import { test, expect, rendererDir, SCREENSHOT_DIR } from './fixtures.js';
import { createTestService, type TestService } from './service-factory.js';

const TEMPLATE = 'outgoing-nat';
const LABS = ['ws-e2e-1', 'ws-e2e-2'];
const README_SHOTS = process.env.E2E_README_SHOTS === '1';

let service: TestService;
let server: RunningServer;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  service = createTestService();
  const text = readFileSync(`lab-templates/${TEMPLATE}.yaml`, 'utf8');
  for (const name of LABS) await service.call('lab:up', { file: `${TEMPLATE}.yaml`, text, name });
  server = await startServer({ service, rendererDir, students: LABS.map((lab) => ({ lab })) });
});

test.afterAll(async () => {
  test.setTimeout(120_000);
  await server?.close();
  for (const name of LABS) await service?.call('lab:down', { name }).catch(() => undefined);
  await service?.close();
});

function studentUrl(lab: string): string {
  return server.students.find((s) => s.lab === lab)!.url;
}

async function openAs(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

/** One call over the page's WebSocket protocol, with a token, as another client would. */
async function callWith(
  token: string,
  channel: string,
  request: unknown,
): Promise<{ response?: unknown; error?: { message: string } }> {
  const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api?token=${token}`, {
    headers: { Origin: server.origin },
  });
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return await new Promise((resolve) => {
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as {
          id?: number;
          response?: unknown;
          error?: { message: string };
        };
        if (msg.id === 1) resolve(msg);
      });
      ws.send(JSON.stringify({ id: 1, channel, request }));
    });
  } finally {
    ws.close();
  }
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = `${SCREENSHOT_DIR}/${name}.png`;
  await page.screenshot({ path: file });
  if (README_SHOTS) {
    mkdirSync('docs/screenshots', { recursive: true });
    copyFileSync(file, `docs/screenshots/${name}.png`);
  }
}

test('a student passes a step, fails a check and sees why, then resets the step', async ({
  browser,
}) => {
  const page = await openAs(browser, studentUrl(LABS[0]!));
  // A student's page opens on its lab's exercise, with no gallery and no instructor's view.
  await expect(page.getByTestId('lab-badge')).toContainText(`${LABS[0]} running`);
  const nav = page.getByRole('navigation', { name: 'Screens' });
  await expect(nav.getByRole('button', { name: 'Templates' })).toHaveCount(0);
  await expect(nav.getByRole('button', { name: 'Workshop' })).toHaveCount(0);
  const step = page.getByTestId('exercise-step');
  await expect(step).toContainText('Step 1 of 3');

  // Step 1: nothing to change; the internet sees node-1.
  await page.getByRole('button', { name: 'Show a hint' }).click();
  await expect(page.getByTestId('hint')).toHaveCount(1);
  await page.getByRole('button', { name: 'Check my work' }).click();
  const result = page.getByTestId('check-result');
  await expect(result).toContainText('Pass');
  await expect(result).toContainText('internet saw 172.30.0.11 (node node-1)');

  // Step 2 before the change: the check fails and says what the wire showed.
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(step).toContainText('Step 2 of 3');
  await page.getByRole('button', { name: 'Check my work' }).click();
  await expect(result).toContainText('Not yet');
  await expect(result).toContainText(
    'seenAs: expected pod, internet saw 172.30.0.11 (node node-1)',
  );
  await expect(result).toContainText('reply: expected no reply');
  await shot(page, 'exercise-light');
  await page.getByRole('button', { name: /Dark/ }).click();
  await shot(page, 'exercise-dark');
  await page.getByRole('button', { name: /Light/ }).click();

  // The student flips natOutgoing off on the Pools screen; now the step passes.
  await nav.getByRole('button', { name: 'Pools' }).click();
  const sw = page.getByRole('switch', { name: 'natOutgoing default-ipv4-ippool' });
  await sw.click();
  await page
    .getByRole('region', { name: 'Change preview' })
    .getByRole('button', { name: 'Apply' })
    .click();
  await expect(sw).toHaveAttribute('aria-checked', 'false');
  await nav.getByRole('button', { name: 'Exercise' }).click();
  await page.getByRole('button', { name: 'Check my work' }).click();
  await expect(result).toContainText('Pass');
  await expect(result).toContainText('(pod web-1); 0/3 replies');

  // Reset this step: the pool is back as the step starts (natOutgoing on), so it fails again.
  await page.getByRole('button', { name: 'Reset this step' }).click();
  await expect(page.getByTestId('reset-result')).toContainText('Reset to the checkpoint of step 2');
  await expect(page.getByTestId('reset-result')).toContainText('rules changed on node-1');
  await nav.getByRole('button', { name: 'Pools' }).click();
  await expect(sw).toHaveAttribute('aria-checked', 'true');
  await nav.getByRole('button', { name: 'Exercise' }).click();
  await page.getByRole('button', { name: 'Check my work' }).click();
  await expect(result).toContainText('Not yet');
  await page.context().close();
});

test("a student's token reaches neither another lab nor the instructor's view", async ({
  browser,
}) => {
  const [a, b] = server.students;
  const page = await openAs(browser, b!.url);
  await expect(page.getByTestId('lab-badge')).toContainText(`${LABS[1]} running`);
  await expect(page.getByRole('combobox', { name: 'Lab shown' })).toHaveCount(0);
  await page.context().close();

  // Over the API, as a page with B's token: its own lab answers, A's lab and the instructor's calls do not.
  expect((await callWith(b!.token, 'lab:status', {})).response).toMatchObject([{ name: LABS[1] }]);
  for (const [channel, request] of [
    ['lab:status', { name: a!.lab }],
    ['pool:list', { lab: a!.lab }],
    ['exercise:check', { lab: a!.lab, step: 0 }],
    [
      'pool:patch',
      { lab: a!.lab, pool: 'default-ipv4-ippool', patch: { spec: { natOutgoing: false } } },
    ],
    ['lab:down', { name: b!.lab }],
    ['workshop:overview', undefined],
  ] as const) {
    const r = await callWith(b!.token, channel, request);
    expect(r.error?.message, `${channel} with another student's token`).toMatch(/not allowed/);
  }
  // A wrong token opens nothing.
  const page2 = await openAs(browser, `${server.origin}/?token=${'x'.repeat(43)}`);
  await expect(page2.locator('body')).toContainText('Forbidden');
  await page2.context().close();
});

test("the instructor's view lists both labs with their step and last check, live", async ({
  browser,
}) => {
  const page = await openAs(browser, server.url);
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: 'Workshop' })
    .click();
  const rowA = page.locator(`[data-testid="workshop-row"][data-lab="${LABS[0]}"]`);
  const rowB = page.locator(`[data-testid="workshop-row"][data-lab="${LABS[1]}"]`);
  await expect(rowA.getByTestId('workshop-step')).toHaveText('2 / 3');
  await expect(rowA.getByTestId('workshop-last')).toContainText('fail');
  await expect(rowB.getByTestId('workshop-step')).toHaveText('1 / 3');
  await expect(rowB.getByTestId('workshop-last')).toHaveText('—');

  // Student B checks step 1 in its own page: the instructor's row changes without a reload.
  const student = await openAs(browser, studentUrl(LABS[1]!));
  await student.getByRole('button', { name: 'Check my work' }).click();
  await expect(student.getByTestId('check-result')).toContainText('Pass');
  await expect(rowB.getByTestId('workshop-last')).toContainText('pass');
  await expect(rowB.getByTestId('workshop-last')).toContainText('step 1');
  await shot(page, 'workshop-light');
  await page.getByRole('button', { name: /Dark/ }).click();
  await shot(page, 'workshop-dark');
  await page.getByRole('button', { name: /Light/ }).click();
  await student.context().close();
  await page.context().close();
});

test('the workspace shows the flip and its effect on the wire at once; large type for a projector', async ({
  browser,
}) => {
  const page = await openAs(browser, server.url);
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: 'Workspace' })
    .click();
  await page.getByRole('combobox', { name: 'Lab shown' }).selectOption(LABS[1]!);
  const ws = page.getByTestId('workspace');
  await expect(ws.getByRole('region', { name: 'Topology' })).toContainText('node-1');
  // A new flow per probe, so a flip shows on the next packet (one ping keeps its conntrack entry).
  const traffic = await service.call('traffic:start', {
    lab: LABS[1]!,
    from: 'web-1',
    to: 'internet',
    protocol: 'icmp',
    flows: 'per-packet',
  });
  try {
    const panes = await ws.getByTestId('capture-pane').all();
    expect(panes).toHaveLength(2);
    for (const pane of panes) {
      await pane.getByLabel('BPF filter').fill('icmp');
      await pane.getByRole('button', { name: 'Start', exact: true }).click();
    }
    for (const pane of panes)
      await expect(pane.getByTestId('capture-output')).toContainText('ICMP');
    const internet = panes[0]!;
    await expect(internet.getByTestId('last-source')).toContainText('node node-1');
    await page.getByRole('main').evaluate((m) => m.scrollTo(0, 0));
    await shot(page, 'workspace-light');
    await page.getByRole('button', { name: /Dark/ }).click();
    await shot(page, 'workspace-dark');
    await page.getByRole('button', { name: /Light/ }).click();

    // The switch on the same screen: the internet's capture shows the pod's own address next.
    const pools = ws.getByRole('region', { name: 'Pools' });
    await pools.getByLabel('Apply at once (no preview)').check();
    const sw = pools.getByRole('switch', { name: 'natOutgoing default-ipv4-ippool' });
    await sw.click();
    await expect(sw).toHaveAttribute('aria-checked', 'false');
    await expect(internet.getByTestId('last-source')).toContainText('pod web-1');
    await sw.click();
    await expect(sw).toHaveAttribute('aria-checked', 'true');
    await expect(internet.getByTestId('last-source')).toContainText('node node-1');

    // Large type: the whole app's type grows (every size is in rem), and back.
    const rootPx = (): Promise<string> =>
      page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
    expect(await rootPx()).toBe('18px');
    await ws.getByTestId('large-font').check();
    expect(await rootPx()).toBe('26px');
    await ws.getByTestId('large-font').uncheck();
    expect(await rootPx()).toBe('18px');
  } finally {
    await service.call('traffic:stop', traffic);
  }

  // Explain, on the same lab: who internet sees, by which rule.
  await page.setViewportSize({ width: 1440, height: 900 });
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: 'Explain' })
    .click();
  await page.getByLabel('Destination').fill('internet');
  await page.getByRole('main').getByRole('button', { name: 'Explain', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Decision' })).toContainText('172.30.0.11');
  await shot(page, 'lab-explain-light');
  await page.getByRole('button', { name: /Dark/ }).click();
  await shot(page, 'lab-explain-dark');
  await page.getByRole('button', { name: /Light/ }).click();
  await page.context().close();
});
