// The desktop app's main process. Hardened as Electron's security checklist asks:
// sandboxed renderers with context isolation and no Node, a strict CSP served as a
// header from a private app:// scheme, no navigation, no new windows, no webviews, no
// permissions, no downloads but the pcap the user saves (downloads.ts), and IPC limited to
// the lab API's intent-level channels, each sender and payload checked (electron/ipc.ts).
// The renderer never reaches Docker directly.
import { app, BrowserWindow, ipcMain, protocol, session, type WebContents } from 'electron';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_API_EVENT_NAMES } from '../src/service/api-schemas.js';
import { clientEvent } from '../src/service/client-text.js';
import { createLabService } from '../src/service/lab-service.js';
import { APP_ORIGIN, isAppUrl, registerLabIpc } from './ipc.js';
import { serveAppRequest } from './protocol.js';
import { refuseDownloads } from './downloads.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/electron
const packageRoot = resolve(here, '..', '..');
const rendererDir = join(packageRoot, 'renderer', 'dist');
const preloadPath = join(here, 'preload.cjs');

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();

function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    title: 'Egress Lab',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // Middle-click would open links in new windows (Electronegativity AUXCLICK_JS_CHECK).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

app.on('web-contents-created', (_event, contents) => lockDown(contents));

app.whenReady().then(async () => {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  refuseDownloads(ses);
  protocol.handle('app', (request) => serveAppRequest(rendererDir, request.url));

  const service = createLabService({ templatesDir: join(packageRoot, 'lab-templates') });
  registerLabIpc(ipcMain, service);
  for (const event of LAB_API_EVENT_NAMES) {
    service.on(event, (payload) => {
      for (const win of BrowserWindow.getAllWindows()) {
        if (isAppUrl(win.webContents.getURL()))
          win.webContents.send(event, clientEvent(event, payload));
      }
    });
  }
  // Stop captures and traffic generators inside the containers before exiting.
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    closed = true;
    void service.close().finally(() => app.quit());
  });

  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
