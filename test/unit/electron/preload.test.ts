// The sandboxed preload, compiled as Electron would load it (CommonJS, only
// `require('electron')`), run against a stand-in contextBridge/ipcRenderer: it exposes
// only call/on, forwards only the lab API's channels and events, and its lists match
// the service contract.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { LAB_API_CHANNELS } from '../../../src/service/api.js';
import { LAB_API_EVENT_NAMES } from '../../../src/service/api-schemas.js';

interface Bridge {
  call(channel: string, request: unknown): Promise<unknown>;
  on(event: string, cb: (p: unknown) => void): () => void;
}

function loadPreload() {
  const source = readFileSync(
    fileURLToPath(new URL('../../../electron/preload.cts', import.meta.url)),
    'utf8',
  );
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const exposed: Record<string, Bridge> = {};
  const invoked: [string, unknown][] = [];
  const listeners = new Map<string, (e: unknown, p: unknown) => void>();
  const required: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: Bridge) => (exposed[key] = api) },
    ipcRenderer: {
      invoke: async (channel: string, request: unknown) => (
        invoked.push([channel, request]),
        { ok: true }
      ),
      on: (event: string, fn: (e: unknown, p: unknown) => void) => void listeners.set(event, fn),
      removeListener: (event: string) => void listeners.delete(event),
    },
  };
  const module = { exports: {} };
  runInNewContext(outputText, {
    require: (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`sandboxed preload cannot require ${name}`);
      return electron;
    },
    exports: module.exports,
    module,
  });
  return { exposed, invoked, listeners, required };
}

describe('preload', () => {
  it('requires only electron and exposes only call and on', () => {
    const { exposed, required } = loadPreload();
    expect(required).toEqual(['electron']);
    expect(Object.keys(exposed)).toEqual(['egressLab']);
    expect(Object.keys(exposed.egressLab!).sort()).toEqual(['call', 'on']);
  });

  it('forwards every lab API channel and refuses anything else', async () => {
    const { exposed, invoked } = loadPreload();
    for (const channel of LAB_API_CHANNELS) await exposed.egressLab!.call(channel, { x: 1 });
    expect(invoked.map(([c]) => c)).toEqual([...LAB_API_CHANNELS]);
    const refused = await exposed.egressLab!.call('docker:exec', {});
    expect(refused).toEqual({ ok: false, error: { message: 'unknown channel: docker:exec' } });
    expect(invoked).toHaveLength(LAB_API_CHANNELS.length);
  });

  it('subscribes to every lab API event, hides the IPC event object, and unsubscribes', () => {
    const { exposed, listeners } = loadPreload();
    const got: unknown[] = [];
    const offs = LAB_API_EVENT_NAMES.map((e) => exposed.egressLab!.on(e, (p) => got.push(p)));
    expect([...listeners.keys()].sort()).toEqual([...LAB_API_EVENT_NAMES].sort());
    listeners.get('traffic:stats')!({ sender: 'secret' }, { sent: 1 });
    expect(got).toEqual([{ sent: 1 }]);
    for (const off of offs) off();
    expect(listeners.size).toBe(0);
    expect(() => exposed.egressLab!.on('ipc:anything', () => undefined)).toThrow('unknown event');
  });
});
