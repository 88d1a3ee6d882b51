// The IPC surface of the desktop app: one `ipcMain.handle` per channel of the lab
// API, nothing else. Each call is accepted only from the app's own top frame, and its
// payload is parsed with the same schemas browser mode uses. Only Electron *types*
// are imported so this runs (and is unit-tested) in plain Node.
import type { IpcMainInvokeEvent } from 'electron';
import { LAB_API_CHANNELS, type LabApiClient } from '../src/service/api.js';
import { checkRequest, toWireError, type IpcResult } from '../src/service/api-schemas.js';

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

export function registerLabIpc(
  ipc: IpcMainLike,
  service: LabApiClient,
  trusted: (event: IpcMainInvokeEvent) => boolean = isTrustedSender,
): () => void {
  for (const channel of LAB_API_CHANNELS) {
    ipc.handle(channel, async (event, request): Promise<IpcResult> => {
      if (!trusted(event))
        return { ok: false, error: { message: 'refused: IPC from an untrusted frame' } };
      const checked = checkRequest(channel, request);
      if (!checked.ok) return { ok: false, error: { message: checked.message } };
      try {
        const response = await service.call(channel, checked.request as never);
        return { ok: true, response };
      } catch (err) {
        return { ok: false, error: toWireError(err) };
      }
    });
  }
  return () => {
    for (const channel of LAB_API_CHANNELS) ipc.removeHandler(channel);
  };
}
