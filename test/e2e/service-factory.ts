// Which lab service the browser tests drive: the simulated one by default, the real
// one (real Docker engine, real lab) with EGRESS_E2E_REAL=1. The specs assert on what
// both show (names of nodes and pods, switch states, inline errors), not on fake data.
import type { LabApiClient } from '../../src/service/api.js';
import { createFakeService } from './fake-service.js';

export type TestService = LabApiClient & { close(): Promise<void> };

export const usingRealService = process.env.EGRESS_E2E_REAL === '1';

export async function createTestService(): Promise<TestService> {
  if (!usingRealService) return createFakeService();
  // Resolved at run time so this file compiles before the real service exists.
  const modulePath = '../../src/service/lab-service.js';
  const mod = (await import(modulePath)) as {
    createLabService(opts?: { templatesDir?: string }): TestService;
  };
  return mod.createLabService({ templatesDir: 'lab-templates' });
}
