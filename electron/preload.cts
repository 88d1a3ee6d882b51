// Sandboxed preloads cannot load ES modules or local files: this is CommonJS (.cts
// compiles to dist/electron/preload.cjs) and requires only 'electron'. It exposes the
// lab API's intent-level calls and events, nothing generic: a channel or event not
// named here is refused before it reaches IPC. The lists mirror LAB_API_CHANNELS and
// LAB_API_EVENT_NAMES (a unit test keeps them equal).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS by necessity (see above)
import electron = require('electron');

const CHANNELS: readonly string[] = [
  'templates:list',
  'templates:read',
  'lab:validate',
  'lab:up',
  'lab:down',
  'lab:status',
  'engine:status',
  'lab:source',
  'pool:list',
  'pool:patch',
  'lab:apply',
  'resource:list',
  'resource:patch',
  'resource:delete',
  'lab:calico-version',
  'lab:explain',
  'lab:diff',
  'lab:trace',
  'lab:bundle',
  'rules:get',
  'conntrack:list',
  'conntrack:flush',
  'capture:start',
  'capture:stop',
  'capture:pcap',
  'capture:pcap-chunk',
  'capture:wireshark',
  'traffic:start',
  'traffic:stop',
  'exercise:get',
  'exercise:check',
  'exercise:reset',
  'exercise:goto',
  'workshop:overview',
  'session:scope',
];

const EVENTS: readonly string[] = [
  'lab:progress',
  'lab:changed',
  'lab:event',
  'capture:packet',
  'capture:dropped',
  'capture:ended',
  'traffic:stats',
  'exercise:progress',
];

const api = {
  call(channel: string, request: unknown): Promise<unknown> {
    if (!CHANNELS.includes(channel)) {
      return Promise.resolve({
        ok: false,
        error: { message: `unknown channel: ${String(channel)}` },
      });
    }
    return electron.ipcRenderer.invoke(channel, request);
  },
  on(event: string, listener: (payload: unknown) => void): () => void {
    if (!EVENTS.includes(event)) throw new Error(`unknown event: ${String(event)}`);
    // The IpcRendererEvent (and its sender) never reaches the page.
    const wrapped = (_e: unknown, payload: unknown): void => listener(payload);
    electron.ipcRenderer.on(event, wrapped);
    return () => {
      electron.ipcRenderer.removeListener(event, wrapped);
    };
  },
};

electron.contextBridge.exposeInMainWorld('egressLab', api);
