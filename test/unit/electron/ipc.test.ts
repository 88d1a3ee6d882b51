// The desktop IPC surface, with a recording stand-in for ipcMain: exactly the lab
// API's channels are handled, calls from any frame but the app's own top frame are
// refused, payloads are parsed before the service sees them, and errors keep their
// problems across the envelope.
import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it } from 'vitest';
import { LabInputError } from '../../../src/core/errors.js';
import { LAB_API_CHANNELS, type LabApiClient } from '../../../src/service/api.js';
import { isAppUrl, isTrustedSender, registerLabIpc } from '../../../electron/ipc.js';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;

function fakeIpc() {
  const handlers = new Map<string, Handler>();
  return {
    handlers,
    handle: (channel: string, fn: Handler) => void handlers.set(channel, fn),
    removeHandler: (channel: string) => void handlers.delete(channel),
  };
}

function eventFrom(url: string, opts: { subframe?: boolean } = {}): IpcMainInvokeEvent {
  const mainFrame = { url: 'app://egress-lab/index.html' };
  const senderFrame = opts.subframe ? { url } : Object.assign(mainFrame, { url });
  return { senderFrame, sender: { mainFrame } } as unknown as IpcMainInvokeEvent;
}

function service(calls: unknown[]): LabApiClient {
  return {
    async call(channel, request) {
      calls.push([channel, request]);
      if (channel === 'lab:validate')
        throw new LabInputError([{ message: 'nope', field: 'spec.x' }]);
      return { echoed: channel } as never;
    },
    on: () => () => undefined,
  };
}

describe('registerLabIpc', () => {
  it('handles exactly the lab API channels, and removes them again', () => {
    const ipc = fakeIpc();
    const off = registerLabIpc(ipc, service([]));
    expect([...ipc.handlers.keys()].sort()).toEqual([...LAB_API_CHANNELS].sort());
    off();
    expect(ipc.handlers.size).toBe(0);
  });

  it('answers the app page', async () => {
    const ipc = fakeIpc();
    const calls: unknown[] = [];
    registerLabIpc(ipc, service(calls));
    const res = await ipc.handlers.get('lab:down')!(eventFrom('app://egress-lab/index.html'), {
      name: 'demo',
    });
    expect(res).toEqual({ ok: true, response: { echoed: 'lab:down' } });
    expect(calls).toEqual([['lab:down', { name: 'demo' }]]);
  });

  it('refuses other origins and subframes without calling the service', async () => {
    const ipc = fakeIpc();
    const calls: unknown[] = [];
    registerLabIpc(ipc, service(calls));
    const down = ipc.handlers.get('lab:down')!;
    for (const ev of [
      eventFrom('https://evil.example/'),
      eventFrom('file:///etc/passwd'),
      eventFrom('app://other-host/index.html'),
      eventFrom('app://egress-lab/index.html', { subframe: true }),
      { senderFrame: null, sender: { mainFrame: {} } } as unknown as IpcMainInvokeEvent,
    ]) {
      const res = (await down(ev, { name: 'demo' })) as { ok: boolean };
      expect(res.ok).toBe(false);
    }
    expect(calls).toEqual([]);
  });

  it('refuses malformed payloads without calling the service', async () => {
    const ipc = fakeIpc();
    const calls: unknown[] = [];
    registerLabIpc(ipc, service(calls));
    const ev = eventFrom('app://egress-lab/index.html');
    const res = (await ipc.handlers.get('capture:start')!(ev, {
      lab: 'l',
      container: 'c',
      iface: 'eth0; rm -rf /',
    })) as {
      ok: boolean;
      error: { message: string };
    };
    expect(res.ok).toBe(false);
    expect(res.error.message).toMatch(/^capture:start: iface: /);
    expect(((await ipc.handlers.get('lab:down')!(ev, 'demo')) as { ok: boolean }).ok).toBe(false);
    expect(calls).toEqual([]);
  });

  it('keeps input problems on errors', async () => {
    const ipc = fakeIpc();
    registerLabIpc(ipc, service([]));
    const res = await ipc.handlers.get('lab:validate')!(eventFrom('app://egress-lab/'), {
      file: 'f',
      text: 'x',
    });
    expect(res).toEqual({
      ok: false,
      error: { message: 'spec.x: nope', problems: [{ message: 'nope', field: 'spec.x' }] },
    });
  });
});

describe('isAppUrl / isTrustedSender', () => {
  it('accepts only app://egress-lab', () => {
    expect(isAppUrl('app://egress-lab/index.html')).toBe(true);
    expect(isAppUrl('app://egress-lab.evil/index.html')).toBe(false);
    expect(isAppUrl('http://egress-lab/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
    expect(isTrustedSender(eventFrom('app://egress-lab/index.html'))).toBe(true);
  });
});

describe('registerLabIpc: one client per window', () => {
  function sender(id: number) {
    const listeners = new Map<string, () => void>();
    const mainFrame = { url: 'app://egress-lab/index.html' };
    return {
      listeners,
      event: {
        senderFrame: mainFrame,
        sender: { id, mainFrame, once: (e: string, l: () => void) => listeners.set(e, l) },
      } as unknown as IpcMainInvokeEvent,
    };
  }

  it("limits each window's captures, and stops them when the window goes or reloads", async () => {
    const calls: unknown[] = [];
    let n = 0;
    const svc: LabApiClient = {
      async call(channel, request) {
        calls.push([channel, request]);
        return (channel === 'capture:start' ? { captureId: `c${++n}` } : undefined) as never;
      },
      on: () => () => undefined,
    };
    const ipc = fakeIpc();
    registerLabIpc(ipc, svc, undefined, { captures: 1, traffic: 1 });
    const start = ipc.handlers.get('capture:start')!;
    const spec = { lab: 'demo', container: 'internet' };
    const w1 = sender(1);
    const w2 = sender(2);
    expect(await start(w1.event, spec)).toEqual({ ok: true, response: { captureId: 'c1' } });
    expect(await start(w1.event, spec)).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('at most 1 captures') },
    });
    expect(await start(w2.event, spec)).toEqual({ ok: true, response: { captureId: 'c2' } });
    w1.listeners.get('destroyed')!();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toContainEqual(['capture:stop', { captureId: 'c1' }]);
    expect(calls).not.toContainEqual(['capture:stop', { captureId: 'c2' }]);
    w2.listeners.get('did-navigate')!(); // a reload: the new page is a new client
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toContainEqual(['capture:stop', { captureId: 'c2' }]);
    expect(await start(w2.event, spec)).toEqual({ ok: true, response: { captureId: 'c3' } });
  });
});
