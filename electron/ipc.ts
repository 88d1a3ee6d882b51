// The IPC surface of the desktop app: one `ipcMain.handle` per channel of the lab
// API, nothing else. Each call is accepted only from the app's own top frame, and its
// payload is parsed with the same schemas browser mode uses. Only Electron *types*
// are imported so this runs (and is unit-tested) in plain Node. Each window's page is one
// client (ClientScope): bounded captures and traffic generators, stopped when the page goes
// (its window closes or it navigates, a reload included).
import type { IpcMainInvokeEvent } from 'electron';
import { LAB_API_CHANNELS, type LabApiClient } from '../src/service/api.js';
import { checkRequest, toWireError, type IpcResult } from '../src/service/api-schemas.js';
import { ClientScope, type ClientLimits } from '../src/service/client-scope.js';

export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>,
  ): void;
  removeHandler(channel: string): void;
}

/** Scheme and host the renderer is served from (see protocol.ts). */
export const APP_ORIGIN = 'app://egress-lab';

export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'app:' && u.host === 'egress-lab';
  } catch {
    return false;
  }
}

/** A sender is trusted only as the top frame of a window showing the app itself. */
export function isTrustedSender(
  event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>,
): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  if (frame !== event.sender.mainFrame) return false;
  return isAppUrl(frame.url);
}

/** What a sender offers to tell its page's end: an id, and the events of its WebContents. */
interface SenderLike {
  id?: number;
  once?(event: 'destroyed' | 'did-navigate', listener: () => void): unknown;
}

export function registerLabIpc(
  ipc: IpcMainLike,
  service: LabApiClient,
  trusted: (event: IpcMainInvokeEvent) => boolean = isTrustedSender,
  limits?: ClientLimits,
): () => void {
  const scopes = new Map<number, ClientScope>();
  const scopeOf = (event: IpcMainInvokeEvent): ClientScope => {
    const sender = event.sender as unknown as SenderLike;
    const key = sender.id ?? 0;
    let scope = scopes.get(key);
    if (!scope) {
      const fresh = new ClientScope(service, limits);
      scope = fresh;
      scopes.set(key, fresh);
      const end = (): void => {
        if (scopes.get(key) === fresh) scopes.delete(key);
        void fresh.close();
      };
      sender.once?.('destroyed', end);
      sender.once?.('did-navigate', end);
    }
    return scope;
  };
  for (const channel of LAB_API_CHANNELS) {
    ipc.handle(channel, async (event, request): Promise<IpcResult> => {
      if (!trusted(event))
        return { ok: false, error: { message: 'refused: IPC from an untrusted frame' } };
      const checked = checkRequest(channel, request);
      if (!checked.ok) return { ok: false, error: { message: checked.message } };
      try {
        const response = await scopeOf(event).call(channel, checked.request as never);
        return { ok: true, response };
      } catch (err) {
        return { ok: false, error: toWireError(err) };
      }
    });
  }
  return () => {
    for (const channel of LAB_API_CHANNELS) ipc.removeHandler(channel);
    for (const scope of scopes.values()) void scope.close();
    scopes.clear();
  };
}
