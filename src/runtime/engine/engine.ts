// ensureEngine: find a Docker engine (DOCKER_HOST, else the local socket); on Debian
// as root with none, install docker.io and start dockerd ourselves (build machines
// have no systemd). Anywhere else, say exactly what is missing.
import Dockerode from 'dockerode';
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep, withTimeout } from '../util/concurrency.js';
import { cacheDir, run } from '../image/debootstrap.js';
import { engineWithDeadlines } from './bounded.js';
import { noProgress, type ProgressFn } from '../util/progress.js';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export interface EngineTarget {
  description: string; // for messages: "unix:///var/run/docker.sock", "ssh://user@host"
  options: Dockerode.DockerOptions;
  remote: boolean;
}

/** Dockerode options from DOCKER_HOST (unix://, tcp://, ssh://) or the default socket. */
export function engineTarget(env: NodeJS.ProcessEnv = process.env): EngineTarget {
  const host = env.DOCKER_HOST?.trim();
  if (!host) {
    return {
      description: `unix://${DEFAULT_SOCKET}`,
      options: { socketPath: DEFAULT_SOCKET },
      remote: false,
    };
  }
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length) || DEFAULT_SOCKET;
    return { description: host, options: { socketPath }, remote: false };
  }
  let url: URL;
  try {
    url = new URL(host.includes('://') ? host : `tcp://${host}`);
  } catch {
    throw new Error(
      `DOCKER_HOST=${host} is not a valid address (expected unix://PATH, tcp://HOST:PORT or ssh://USER@HOST)`,
    );
  }
  if (url.protocol === 'ssh:') {
    const options: Dockerode.DockerOptions = {
      protocol: 'ssh',
      host: url.hostname,
      port: url.port ? Number(url.port) : 22,
      username: url.username || undefined,
      sshOptions: { agent: env.SSH_AUTH_SOCK },
    } as Dockerode.DockerOptions;
    return { description: host, options, remote: true };
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const tls = env.DOCKER_TLS_VERIFY === '1' || url.port === '2376' || url.protocol === 'https:';
    const options: Dockerode.DockerOptions = {
      protocol: tls ? 'https' : 'http',
      host: url.hostname,
      port: url.port ? Number(url.port) : tls ? 2376 : 2375,
    };
    if (tls && env.DOCKER_CERT_PATH) {
      const file = (n: string): Buffer => readFileSync(join(env.DOCKER_CERT_PATH as string, n));
      Object.assign(options, { ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem') });
    }
    return { description: host, options, remote: true };
  }
  throw new Error(
    `DOCKER_HOST=${host}: unsupported scheme ${url.protocol} (use unix://, tcp:// or ssh://)`,
  );
}

async function answers(docker: Dockerode, ms: number): Promise<boolean> {
  try {
    await withTimeout(docker.ping(), ms, 'ping timed out');
    return true;
  } catch {
    return false;
  }
}

function onPath(cmd: string): boolean {
  return ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) =>
    existsSync(join(d, cmd)),
  );
}

/** Whether a dockerd process exists on this machine (/proc scan; Linux only). */
function dockerdRunning(): boolean {
  try {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .some((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'dockerd';
        } catch {
          return false;
        }
      });
  } catch {
    return false;
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Starts dockerd detached, its log in a file, and waits (bounded) until it answers. */
async function startDockerd(
  docker: Dockerode,
  onProgress: ProgressFn,
  timeoutMs: number,
): Promise<string> {
  const dir = cacheDir();
  await mkdir(dir, { recursive: true });
  const logFile = join(dir, 'dockerd.log');
  const fd = openSync(logFile, 'a');
  onProgress('engine', `starting dockerd (log: ${logFile})`);
  const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', fd, fd] });
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await answers(docker, 2000)) return logFile;
    if (exited !== null)
      throw new Error(`dockerd exited with code ${exited} right after start; see ${logFile}`);
    await sleep(250);
  }
  throw new Error(
    `dockerd did not answer within ${Math.round(timeoutMs / 1000)} s; see ${logFile}`,
  );
}

export interface EnsureEngineOptions {
  env?: NodeJS.ProcessEnv;
  /** How long to wait for a freshly started dockerd. */
  startTimeoutMs?: number;
}

/**
 * A Dockerode connected to a live engine, installing and starting one when we may; every
 * call on it bounded (bounded.ts).
 */
export async function ensureEngine(
  onProgress: ProgressFn = noProgress,
  opts: EnsureEngineOptions = {},
): Promise<Dockerode> {
  return engineWithDeadlines(await findEngine(onProgress, opts));
}

async function findEngine(onProgress: ProgressFn, opts: EnsureEngineOptions): Promise<Dockerode> {
  const target = engineTarget(opts.env ?? process.env);
  const docker = new Dockerode(target.options);
  if (await answers(docker, target.remote ? 15_000 : 5_000)) return docker;

  if (target.remote) {
    throw new Error(
      `The Docker engine at DOCKER_HOST=${target.description} does not answer. Check that it runs and is ` +
        'reachable (for ssh://, that `ssh` to it works with your agent and the user may use Docker); ' +
        'or unset DOCKER_HOST to use a local engine.',
    );
  }
  const socket = target.options.socketPath ?? DEFAULT_SOCKET;
  if (socket !== DEFAULT_SOCKET) {
    throw new Error(
      `No Docker engine answers on ${socket} (from DOCKER_HOST). Start it, or unset DOCKER_HOST.`,
    );
  }
  if (existsSync(socket)) {
    try {
      accessSync(socket, constants.R_OK | constants.W_OK);
    } catch {
      throw new Error(
        `Permission denied on ${socket}: add your user to the docker group ` +
          '(`sudo usermod -aG docker $USER`, then log in again) or run as root.',
      );
    }
  }
  const debian = existsSync('/etc/debian_version');
  if (!isRoot() || !debian || process.platform !== 'linux') {
    const how =
      process.platform === 'linux'
        ? debian
          ? 'Install it as root with `apt-get install -y docker.io` and start `dockerd`, or run `npm run setup` as root.'
          : "Install Docker Engine with your distribution's package manager and start it."
        : 'Install and start Docker Desktop (or another engine) and make sure DOCKER_HOST points to it.';
    throw new Error(`No Docker engine answers on ${socket}. ${how}`);
  }
  if (!onPath('dockerd')) {
    onProgress('engine', 'installing docker.io (apt-get)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run('apt-get', ['update'], (l) => onProgress('engine', l), env);
    await run('apt-get', ['install', '-y', 'docker.io'], (l) => onProgress('engine', l), env);
  }
  if (dockerdRunning()) {
    // Started by someone else and not answering yet (or wedged): wait, never start a second one.
    onProgress('engine', 'dockerd is running but not answering yet; waiting');
    const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (await answers(docker, 2000)) return docker;
      await sleep(500);
    }
    throw new Error(
      `dockerd runs but ${socket} does not answer; check its log (or stop it and run \`npm run setup\` again)`,
    );
  }
  await startDockerd(docker, onProgress, opts.startTimeoutMs ?? 60_000);
  onProgress('engine', 'dockerd is up');
  return docker;
}
