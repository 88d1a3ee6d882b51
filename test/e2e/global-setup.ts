// Builds the renderer once before the browser tests, so they test the current sources.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export default async function globalSetup(): Promise<void> {
  if (process.env.EGRESS_E2E_SKIP_BUILD === '1') return;
  await build({
    configFile: fileURLToPath(new URL('../../renderer/vite.config.ts', import.meta.url)),
    logLevel: 'warn',
  });
}
