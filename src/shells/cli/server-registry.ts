// Where a running `egress-lab serve` says it is, so that a CLI change can go through it
// (via-server.ts): that process keeps resident agents in the labs' containers and has its
// modules loaded, where a CLI process of its own pays for its imports, the engine connection
// and an exec per container. One file per server, readable by this user only: the token in
// it drives Docker. A server that died without removing its file is skipped (no such pid).
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ServerAnnouncement {
  pid: number;
  origin: string; // http://127.0.0.1:PORT
  token: string;
  /** The engine the server uses (DOCKER_HOST as it saw it, '' for the local socket). */
  dockerHost: string;
}

export function registryDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_RUNTIME_DIR || env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'egress-lab', 'servers');
}

export function dockerHostOf(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST?.trim() ?? '';
}

/** Announces this process's server; returns what removes the announcement. */
export async function announceServer(
  server: { origin: string; token: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<() => Promise<void>> {
  const dir = registryDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${process.pid}.json`);
  const body: ServerAnnouncement = {
    pid: process.pid,
    origin: server.origin,
    token: server.token,
    dockerHost: dockerHostOf(env),
  };
  // A file left by an earlier process with this pid goes first: 'wx' then creates it 0600.
  await rm(file, { force: true });
  await writeFile(file, JSON.stringify(body), { mode: 0o600, flag: 'wx' });
  return () => rm(file, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Live servers on the same engine as this process, the most recently started first. */
export async function findServers(
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServerAnnouncement[]> {
  const dir = registryDir(env);
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: { a: ServerAnnouncement; at: number }[] = [];
  for (const name of names.filter((n) => /^\d+\.json$/.test(n))) {
    try {
      const file = join(dir, name);
      const a = JSON.parse(await readFile(file, 'utf8')) as ServerAnnouncement;
      if (
        typeof a.pid === 'number' &&
        typeof a.origin === 'string' &&
        /^http:\/\/127\.0\.0\.1:\d+$/.test(a.origin) &&
        typeof a.token === 'string' &&
        a.dockerHost === dockerHostOf(env) &&
        a.pid !== process.pid &&
        alive(a.pid)
      )
        found.push({ a, at: (await stat(file)).mtimeMs });
    } catch {
      // unreadable or half-written: not a server to use
    }
  }
  return found.sort((x, y) => y.at - x.at).map((f) => f.a);
}
