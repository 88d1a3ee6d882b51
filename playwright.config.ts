// Browser-mode tests in Debian's Chromium (Playwright cannot download browsers here),
// plus the Electron run where an Electron binary exists. The service behind the page is
// the real LabService, over a simulated runtime unless EGRESS_E2E_REAL=1 (a real lab on
// Docker; see test/e2e/service-factory.ts).
// Reporters: a readable list and JSON (test-results/e2e.json, or
// PLAYWRIGHT_JSON_OUTPUT_NAME) so CI can count passed and failed.
import { defineConfig } from '@playwright/test';
import type { Target } from './test/e2e/fixtures.js';

const real = process.env.EGRESS_E2E_REAL === '1';

export default defineConfig<{ target: Target }>({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/e2e-artifacts',
  globalSetup: './test/e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1, // one lab service per worker; a real lab is one Docker engine
  timeout: real ? 300_000 : 60_000,
  expect: { timeout: real ? 30_000 : 8_000 },
  reporter: [
    ['list'],
    ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? 'test-results/e2e.json' }],
  ],
  projects: [
    // Browser mode in Debian's Chromium: app.spec, screenshots.
    { name: 'browser', testIgnore: '**/electron.spec.ts', use: { target: 'browser' } },
    // The same app.spec against the Electron window (real service in its main
    // process), plus the window's hardening; skipped loudly without a binary.
    {
      name: 'electron',
      testMatch: ['**/app.spec.ts', '**/electron.spec.ts'],
      use: { target: 'electron' },
    },
  ],
  use: {
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
});
