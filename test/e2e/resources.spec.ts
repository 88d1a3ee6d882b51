// The Resources screen in browser mode against the real lab service (simulated runtime, or a
// real lab with EGRESS_E2E_REAL=1): a running lab's Services are listed with their endpoints;
// one edited in the YAML editor shows its rule diff before Apply, then its endpoints change;
// bad input is shown positioned, in the list and inline, and nothing is applied.
import { test, expect, go, startTemplate, stopLab } from './fixtures.js';

const TEMPLATE = 'nodeport-source-ip';

test.afterEach(async ({ page }) => {
  await stopLab(page, TEMPLATE);
});

test('a Service edited live: rule diff, apply, new endpoints; bad input positioned', async ({
  page,
  app,
}) => {
  await startTemplate(page, app.url, TEMPLATE);
  await go(page, 'Resources');
  const services = page.getByRole('table', { name: 'Services' });
  const local = services.getByRole('row').filter({ hasText: 'default/web-local' });
  await expect(local).toContainText('NodePort');
  await expect(local).toContainText(/web-1 \d+\.\d+\.\d+\.\d+:8080/);
  await expect(local).toContainText(/web-2 /);

  await local.getByRole('button', { name: 'default/web-local' }).click();
  const editor = page.getByRole('textbox', { name: 'Lab file (YAML)' });
  await expect(editor).toContainText('nodePort: 30081');
  const yaml = (nodePort: number) =>
    [
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: web-local, namespace: default}',
      'spec:',
      '  type: NodePort',
      '  externalTrafficPolicy: Local',
      '  selector: {app: web, tier: none}',
      `  ports: [{port: 80, targetPort: 8080, nodePort: ${nodePort}}]`,
      '',
    ].join('\n');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(yaml(30081));

  await page.getByRole('button', { name: 'Show diff' }).click();
  const preview = page.getByRole('region', { name: 'Diff preview' });
  await expect(preview).toContainText('KUBE-SEP-');
  await expect(preview).toContainText('matches no pod');
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Successfully applied' })).toBeVisible();
  await expect(local).toContainText('none');
  await expect(local).not.toContainText('web-1 ');

  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(yaml(80));
  await page.getByRole('button', { name: 'Show diff' }).click();
  const problems = page.getByRole('list', { name: 'Problems' });
  await expect(problems).toContainText(
    /8:\d+\s+Service\(web-local\) spec\.ports\[0\]\.nodePort: Invalid value: 80: provided port is not in the valid range/,
  );
  await expect(page.locator('.cm-lintRange-error').first()).toBeVisible();
  await expect(preview).toHaveCount(0);
});
