// A CLI change through a running `egress-lab serve` (server-registry.ts) instead of a lab
// service of its own: the browser mode's WebSocket protocol (`{id, channel, request}`), with
// the token and origin the server announced. No service, runtime or schema loads on that path.
// EGRESS_LAB_DIRECT=1 makes every command do its work itself.
import type { LabApiCalls, LabApiChannel } from '../../service/api.js';
import { LabInputError, type Problem } from '../../core/errors.js';
import { findServers, type ServerAnnouncement } from './server-registry.js';
import { openTextSocket } from './ws-client.js';

const CONNECT_TIMEOUT_MS = 1000;

export type ServerCall = <C extends LabApiChannel>(
  channel: C,
  request: LabApiCalls[C]['request'],
) => Promise<LabApiCalls[C]['response']>;

/**
 * Runs `fn` against the first announced server that accepts the connection; undefined when
 * none does (none runs, it is for another engine, or it refused): the caller then does the
 * work itself. Errors from the calls themselves are `fn`'s and propagate.
 */
export async function viaServer<T>(
  fn: (call: ServerCall, server: ServerAnnouncement) => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T | undefined> {
  if (env.EGRESS_LAB_DIRECT === '1') return undefined;
  for (const server of await findServers(env)) {
    const conn = await connect(server).catch(() => undefined);
    if (!conn) continue;
    try {
      return await fn(conn.call, server);
    } finally {
      conn.close();
    }
  }
  return undefined;
}

async function connect(
  server: ServerAnnouncement,
): Promise<{ call: ServerCall; close: () => void }> {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const url = `${server.origin.replace(/^http/, 'ws')}/api?token=${encodeURIComponent(server.token)}`;
  const socket = await openTextSocket(
    url,
    server.origin,
    {
      message(text) {
        let msg: {
          id?: unknown;
          response?: unknown;
          error?: { message?: string; problems?: unknown };
        };
        try {
          msg = JSON.parse(text);
        } catch {
          return;
        }
        const p = typeof msg.id === 'number' ? pending.get(msg.id) : undefined;
        if (!p) return; // a pushed event, or an answer to nobody
        pending.delete(msg.id as number);
        if (msg.error) p.reject(wireError(msg.error));
        else p.resolve(msg.response);
      },
      closed(why) {
        const gone = new Error(`egress-lab serve (pid ${server.pid}): ${why}`);
        for (const p of pending.values()) p.reject(gone);
        pending.clear();
      },
    },
    CONNECT_TIMEOUT_MS,
  );
  let nextId = 1;
  const call = (<C extends LabApiChannel>(channel: C, request: LabApiCalls[C]['request']) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, channel, request }));
    })) as ServerCall;
  return { call, close: () => socket.close() };
}

/** The service's error as the direct path would have thrown it: input problems stay problems. */
function wireError(e: { message?: string; problems?: unknown }): Error {
  if (Array.isArray(e.problems) && e.problems.length)
    return new LabInputError(e.problems as Problem[]);
  return new Error(e.message ?? 'the server reported an error');
}
