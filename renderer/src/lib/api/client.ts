// One client for both shells: Electron's preload bridge when present, else the
// browser-mode WebSocket on the page's own origin with the token from its URL (or cookie).
import type { IpcResult } from '../../../../src/service/api-schemas.js';
import { ApiError } from './errors.js';
import type {
  LabApiCalls,
  LabApiChannel,
  LabApiClient,
  LabApiEventName,
  LabApiEvents,
  Problem,
} from './types.js';
import { createWsClient, type ConnectionState } from './ws-client.js';

/** What electron/preload.cts exposes on `window.egressLab`. */
export interface PreloadBridge {
  call(channel: string, request: unknown): Promise<IpcResult>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    egressLab?: PreloadBridge;
  }
}

export type { ConnectionState };

export function apiUrlFromLocation(loc: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(loc.search).get('token');
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  // No token in the URL (a reload): the page's cookie carries it to the WebSocket.
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}//${loc.host}/api${query}`;
}

/** Adapts the preload bridge's envelopes to `LabApiClient`, keeping `problems` on errors. */
export function clientFromBridge(bridge: PreloadBridge): LabApiClient {
  return {
    async call<C extends LabApiChannel>(channel: C, request: LabApiCalls[C]['request']) {
      const result = await bridge.call(channel, request);
      if (result.ok) return result.response as LabApiCalls[C]['response'];
      throw new ApiError(result.error.message, (result.error.problems ?? []) as Problem[]);
    },
    on<E extends LabApiEventName>(event: E, listener: (payload: LabApiEvents[E]) => void) {
      return bridge.on(event, listener as (p: unknown) => void);
    },
  };
}

export function createClient(
  win: Window = window,
  onState?: (state: ConnectionState) => void,
): LabApiClient {
  if (win.egressLab) {
    onState?.('open');
    return clientFromBridge(win.egressLab);
  }
  const url = apiUrlFromLocation(win.location);
  forgetUrlToken(win);
  return createWsClient(url, { onState });
}

/**
 * Takes the token out of the address bar and history once it has been read: the server has
 * set it as an HttpOnly cookie with the page, so a reload still gets in.
 */
export function forgetUrlToken(win: Pick<Window, 'location' | 'history'>): void {
  const params = new URLSearchParams(win.location.search);
  if (!params.has('token')) return;
  params.delete('token');
  const search = params.toString();
  win.history.replaceState(
    win.history.state,
    '',
    `${win.location.pathname}${search ? `?${search}` : ''}${win.location.hash}`,
  );
}
