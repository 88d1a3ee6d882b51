// Validation as the service answers it (`lab:validate`: the editor's linter checks on every
// pause in typing). A file near the 1 MiB limit takes about a second to parse and check; on the
// main thread of the browser-mode server or the Electron main process that second would stall
// every other client and event. Large inputs go to a worker thread instead.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LabInputError } from '../core/errors.js';
import type { LabSource, ValidationResult } from './api.js';
import { validateSources } from './offline.js';

/** Below this many characters validation takes a few milliseconds: a worker would cost more. */
export const OFF_THREAD_CHARS = 64 * 1024;

export function validateToResult(sources: LabSource[]): ValidationResult {
  try {
    const r = validateSources(sources);
    return {
      ok: true,
      problems: [],
      warnings: r.warnings,
      ...(r.labName ? { labName: r.labName } : {}),
    };
  } catch (e) {
    if (e instanceof LabInputError) return { ok: false, problems: e.problems, warnings: [] };
    throw e;
  }
}

interface Pending {
  resolve(r: ValidationResult): void;
  reject(e: Error): void;
}

/**
 * One worker, started on first need and reused; it keeps no process alive (unref). Only the
 * compiled service has a worker script: from the TypeScript sources (tests) everything runs
 * inline, and so does everything when the worker cannot start (e.g. a packaged app whose
 * archive a worker cannot read).
 */
export class ValidationWorker {
  private worker: Worker | undefined;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly script = new URL('./validate-worker.js', import.meta.url);

  available(): boolean {
    return !this.broken && existsSync(fileURLToPath(this.script));
  }

  async validate(sources: LabSource[]): Promise<ValidationResult> {
    const size = sources.reduce((n, s) => n + (typeof s.text === 'string' ? s.text.length : 0), 0);
    if (size < OFF_THREAD_CHARS || !this.available()) return validateToResult(sources);
    try {
      return await this.post(sources);
    } catch {
      return validateToResult(sources); // the worker failed: the answer still comes
    }
  }

  private post(sources: LabSource[]): Promise<ValidationResult> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, sources });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.unref();
    worker.on('message', (m: { id: number; result?: ValidationResult; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.result) p.resolve(m.result);
      else p.reject(new Error(m.error ?? 'validation failed'));
    });
    const fail = (e: Error): void => {
      this.broken = true;
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`validation worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.broken = true;
    if (w) await w.terminate();
  }
}
