// The lab service the browser tests drive: always the real LabService, over a simulated
// runtime by default (test/support/fake-runtime.ts: labs in memory, the tools' output
// derived from the applied rules), or over Docker and a real lab with EGRESS_E2E_REAL=1.
// The specs assert on what both show (names of nodes and pods, switch states, captured
// sources, inline errors).
import type { LabApiClient } from '../../src/service/api.js';
import { createLabService } from '../../src/service/lab-service.js';
import { FakeRuntime } from '../support/fake-runtime.js';

export type TestService = LabApiClient & { close(): Promise<void> };

export const usingRealService = process.env.EGRESS_E2E_REAL === '1';

const TEMPLATES = 'lab-templates';

export function createTestService(): TestService {
  if (usingRealService) return createLabService({ templatesDir: TEMPLATES });
  // Progress steps a few ms apart, so the UI shows them as they come.
  const runtime = new FakeRuntime({ stepMs: 20 });
  const service = createLabService({ templatesDir: TEMPLATES, runtime });
  return {
    call: (channel, request) => service.call(channel, request),
    on: (event, listener) => service.on(event, listener),
    close: async () => {
      await service.close();
      await runtime.close(); // a runtime handed in is the caller's to close
    },
  };
}
