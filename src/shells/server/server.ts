// Browser mode: the built renderer and the lab service on 127.0.0.1 only. A random
// token in the page URL and on the WebSocket, plus Host and Origin checks, keep other
// pages (DNS rebinding, cross-site WebSockets) and other local users from driving Docker.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { LabApiClient } from '../../service/api.js';
import type { ClientLimits } from '../../service/client-scope.js';
import { LabScopedClient } from '../../service/lab-scope.js';
import { cookieToken, securityHeaders, newToken, tokenCookie, tokenMatches } from './security.js';
import { readStatic } from './static-files.js';
import { attachConnection } from './ws-connection.js';

export interface ServerOptions {
  service: LabApiClient;
  port?: number; // 0 or absent: any free port
  host?: '127.0.0.1';
  rendererDir: string;
  /** Fixed token (tests); default: 32 random bytes. */
  token?: string;
  /** Captures and traffic generators one page may run at once (default: client-scope.ts). */
  clientLimits?: ClientLimits;
  /**
   * Workshops: a token per student lab. A page that came with one sees that lab only
   * (service/lab-scope.ts); `token` stays the instructor's, which sees every lab.
   */
  students?: { lab: string; token?: string }[];
}

export interface RunningServer {
  url: string; // page URL including ?token=
  origin: string;
  token: string;
  /** Workshops: each student lab's page URL, carrying its own token. */
  students: { lab: string; token: string; url: string }[];
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * The request target as a URL, or undefined when it cannot be one (`//[`, a bare `*`):
 * a client's bytes must never throw out of a handler, where nothing would catch it.
 */
export function requestUrl(raw: string | undefined, origin: string): URL | undefined {
  try {
    return new URL(raw ?? '/', origin);
  } catch {
    return undefined;
  }
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = '127.0.0.1'; // never another interface, whatever the caller passes
  const token = opts.token ?? newToken();
  const students = (opts.students ?? []).map((s) => ({ lab: s.lab, token: s.token ?? newToken() }));
  /** Which page a token opens: the instructor's (every lab), a student's lab, or none. */
  const grantOf = (given: string | null | undefined): { lab?: string } | undefined => {
    if (tokenMatches(token, given)) return {};
    // Every token is compared (constant time each): which one matched must not show in timing.
    let grant: { lab: string } | undefined;
    for (const s of students) if (tokenMatches(s.token, given)) grant = { lab: s.lab };
    return grant;
  };
  let origin = '';
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const detachers = new Set<() => void>();

  const server = createServer((req, res) => {
    void handleHttp(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  });
  // A connection that breaks or speaks garbage before a request is parsed: drop it. Node's
  // default answers 400 on a socket that may already be gone; the process must not care.
  server.on('clientError', (_err, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });
  // The WebSocket server's own errors (never seen; ws reports protocol errors per socket).
  wss.on('error', () => undefined);

  function send(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, {
      ...securityHeaders(origin),
      'Content-Type': 'text/plain; charset=utf-8',
    });
    res.end(text + '\n');
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.host !== new URL(origin).host) return send(res, 421, 'wrong Host header');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    const url = requestUrl(req.url, origin);
    if (!url) return send(res, 400, 'bad request target');
    let path = url.pathname;
    const headers = securityHeaders(origin);
    if (path === '/' || path === '/index.html') {
      // The page is what hands the token to the app; without it, say how to get in. The URL's
      // token (first load) becomes a cookie; the page then takes it out of the address bar.
      const fromUrl = url.searchParams.get('token');
      if (grantOf(fromUrl)) headers['Set-Cookie'] = tokenCookie(fromUrl!);
      else if (!grantOf(cookieToken(req.headers.cookie))) {
        return send(
          res,
          403,
          'Forbidden: open the URL printed by `egress-lab serve` (it carries the access token).',
        );
      }
      path = '/index.html';
    }
    // Built assets carry no secret; only the page and the API need the token.
    const file = await readStatic(opts.rendererDir, path);
    if (!file) {
      return send(
        res,
        404,
        path === '/index.html' ? 'renderer not built: run `npm run build:renderer`' : 'not found',
      );
    }
    res.writeHead(200, { ...headers, 'Content-Type': file.contentType });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // From here the socket is ours, not the HTTP server's: without a listener, a client that
    // resets the connection (ECONNRESET) would be an uncaught error and end the process.
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, text: string): void => {
      // Destroyed once written: a client that never reads or closes keeps no socket open.
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
        () => socket.destroy(),
      );
    };
    const url = requestUrl(req.url, origin);
    if (!url) return refuse(400, 'Bad Request');
    if (url.pathname !== '/api') return refuse(404, 'Not Found');
    if (req.headers.host !== new URL(origin).host) return refuse(421, 'Misdirected Request');
    if (req.headers.origin !== origin) return refuse(403, 'Forbidden');
    const given = url.searchParams.get('token') || cookieToken(req.headers.cookie);
    const grant = grantOf(given);
    if (!grant) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Protocol errors (unmasked or oversized frames, bad UTF-8, unknown opcodes) arrive
      // here; ws has already failed the connection with the right close code.
      ws.on('error', () => ws.terminate());
      const service =
        grant.lab !== undefined ? new LabScopedClient(opts.service, grant.lab) : opts.service;
      const detach = attachConnection(ws, service, opts.clientLimits);
      detachers.add(detach);
      ws.on('close', () => {
        detach();
        detachers.delete(detach);
      });
    });
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');
  origin = `http://${host}:${address.port}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    students: students.map((s) => ({ ...s, url: `${origin}/?token=${s.token}` })),
    close: async () => {
      for (const detach of detachers) detach();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
