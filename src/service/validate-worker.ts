// The worker thread behind ValidationWorker (validation.ts): validates what it is sent.
import { parentPort } from 'node:worker_threads';
import type { LabSource } from './api.js';
import { validateToResult } from './validation.js';

parentPort?.on('message', (m: { id: number; sources: LabSource[] }) => {
  try {
    parentPort!.postMessage({ id: m.id, result: validateToResult(m.sources) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
