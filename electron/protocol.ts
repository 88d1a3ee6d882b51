// The renderer is served from app://egress-lab/ rather than file://, so its origin is
// its own (not every file on disk), CSP comes as a real header, and IPC senders can
// be checked by URL.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'", // Svelte Flow, CodeMirror and xterm set inline styles
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** Answers one app:// request from `rendererDir`, never from outside it. */
export async function serveAppRequest(rendererDir: string, requestUrl: string): Promise<Response> {
  const headers = {
    'Content-Security-Policy': APP_CSP,
    'X-Content-Type-Options': 'nosniff',
  };
  let path: string;
  try {
    const url = new URL(requestUrl);
    if (url.host !== 'egress-lab') return new Response('not found', { status: 404, headers });
    path = decodeURIComponent(url.pathname);
  } catch {
    return new Response('bad request', { status: 400, headers });
  }
  if (path === '/' || path === '') path = '/index.html';
  const base = resolve(rendererDir);
  const file = resolve(join(base, normalize(path)));
  if (!file.startsWith(base + sep)) return new Response('forbidden', { status: 403, headers });
  try {
    const body = await readFile(file);
    return new Response(body, {
      status: 200,
      headers: { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' },
    });
  } catch {
    return new Response('not found', { status: 404, headers });
  }
}
