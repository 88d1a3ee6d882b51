// ensureEngine: find a Docker engine where the user has one (finder.ts: DOCKER_HOST, the
// docker CLI's context, Docker Desktop, Podman, Colima, OrbStack, Rancher Desktop, the
// default socket, Windows' named pipes), ping each in that order with a short deadline and
// use the first that answers; say which. On Debian as root with none, `setup`/`up` install
// docker.io and start dockerd themselves (build machines have no systemd). Anywhere else,
// say what was tried and what to start.
import Dockerode from 'dockerode';
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { sleep, withTimeout } from '../util/concurrency.js';
import { cacheDir, run } from '../image/debootstrap.js';
import { engineWithDeadlines } from './bounded.js';
import { noProgress, type ProgressFn } from '../util/progress.js';
import {
  DEFAULT_SOCKET,
  engineCandidates,
  whatToStart,
  type EngineCandidate,
  type FinderInput,
} from './finder.js';

export { DEFAULT_SOCKET } from './finder.js';
export type { EngineCandidate } from './finder.js';

export interface EngineTarget {
  description: string; // for messages: "unix:///var/run/docker.sock", "ssh://user@host"
  options: Dockerode.DockerOptions;
  remote: boolean;
}

/** The engine found, for messages and for `setup`: "Docker Desktop at ~/.docker/desktop/docker.sock". */
export interface EngineInUse {
  description: string;
  host: string;
  remote: boolean;
}

const inUse = new WeakMap<object, EngineInUse>();

/** Which engine ensureEngine connected this Dockerode to (undefined for one made elsewhere). */
export function engineInUse(docker: Dockerode): EngineInUse | undefined {
  return inUse.get(docker);
}

/**
 * Dockerode options for an engine address: unix://PATH, npipe:////./pipe/NAME, tcp://,
 * http(s)://, ssh://USER@HOST. TLS for tcp:// follows DOCKER_TLS_VERIFY/DOCKER_CERT_PATH
 * (or a context's TLS folder).
 */
export function hostTarget(
  host: string,
  env: NodeJS.ProcessEnv = process.env,
  tls: { dir?: string; skipVerify?: boolean } = {},
  label = `DOCKER_HOST=${host}`,
): EngineTarget {
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length) || DEFAULT_SOCKET;
    return { description: host, options: { socketPath }, remote: false };
  }
  if (host.startsWith('npipe://')) {
    // npipe:////./pipe/docker_engine names the pipe \\.\pipe\docker_engine, which Node's
    // net module (and so docker-modem) opens as //./pipe/docker_engine.
    const pipe = host.slice('npipe://'.length).replace(/^\/+/, '//');
    return { description: host, options: { socketPath: pipe }, remote: false };
  }
  let url: URL;
  try {
    url = new URL(host.includes('://') ? host : `tcp://${host}`);
  } catch {
    throw new Error(
      `${label} is not a valid address (expected unix://PATH, tcp://HOST:PORT, ssh://USER@HOST or npipe:////./pipe/NAME)`,
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
    const certDir = tls.dir ?? env.DOCKER_CERT_PATH;
    const secure =
      env.DOCKER_TLS_VERIFY === '1' ||
      url.port === '2376' ||
      url.protocol === 'https:' ||
      tls.dir !== undefined;
    const options: Dockerode.DockerOptions = {
      protocol: secure ? 'https' : 'http',
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 2376 : 2375,
    };
    if (secure && certDir) {
      const file = (n: string): Buffer | undefined => {
        try {
          return readFileSync(join(certDir, n));
        } catch {
          return undefined;
        }
      };
      Object.assign(options, { ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem') });
    }
    if (secure && tls.skipVerify)
      Object.assign(options, { agentOptions: { rejectUnauthorized: false } });
    return { description: host, options, remote: true };
  }
  throw new Error(
    `${label}: unsupported scheme ${url.protocol} (use unix://, tcp://, ssh:// or npipe://)`,
  );
}

/** Dockerode options from DOCKER_HOST (unix://, tcp://, ssh://, npipe://) or the default socket. */
export function engineTarget(env: NodeJS.ProcessEnv = process.env): EngineTarget {
  const host = env.DOCKER_HOST?.trim();
  return host ? hostTarget(host, env) : hostTarget(`unix://${DEFAULT_SOCKET}`, env);
}

/** This machine, as the finder sees it. */
export function localFinderInput(env: NodeJS.ProcessEnv = process.env): FinderInput {
  return {
    env,
    platform: process.platform,
    home: env.HOME || homedir(),
    probe: {
      exists: (p) => existsSync(p),
      readFile: (p) => {
        try {
          return readFileSync(p, 'utf8');
        } catch {
          return undefined;
        }
      },
    },
  };
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
  /**
   * Whether, as root on Debian with no engine, docker.io may be installed and dockerd
   * started (`setup`, `up`). Default true; a read-only lookup passes false.
   */
  mayStart?: boolean;
  /** Where to look (tests); default: this machine (localFinderInput). */
  finder?: FinderInput;
}

/**
 * A Dockerode connected to a live engine, installing and starting one when we may; every
 * call on it bounded (bounded.ts). engineInUse(docker) says which engine it is.
 */
export async function ensureEngine(
  onProgress: ProgressFn = noProgress,
  opts: EnsureEngineOptions = {},
): Promise<Dockerode> {
  const { docker, engine } = await findEngine(onProgress, opts);
  const bounded = engineWithDeadlines(docker);
  inUse.set(bounded, engine);
  inUse.set(docker, engine);
  onProgress('engine', `using ${engine.description}`);
  return bounded;
}

/** How long a candidate may take to answer a ping: a socket answers at once or not at all. */
function pingMs(target: EngineTarget, explicit: boolean): number {
  if (target.remote) return 15_000;
  return explicit ? 5_000 : 3_000;
}

async function findEngine(
  onProgress: ProgressFn,
  opts: EnsureEngineOptions,
): Promise<{ docker: Dockerode; engine: EngineInUse }> {
  const env = opts.env ?? process.env;
  const finder = opts.finder ?? localFinderInput(env);
  const candidates = engineCandidates(finder);
  const tried: string[] = [];
  const mayStart = opts.mayStart !== false && installable();
  let fallback: { docker: Dockerode; candidate: EngineCandidate } | undefined;
  for (const c of candidates) {
    const target = hostTarget(
      c.host,
      env,
      c.source === 'context' ? { dir: c.tlsDir, skipVerify: c.skipTLSVerify } : {},
      c.source === 'DOCKER_HOST' ? `DOCKER_HOST=${c.host}` : c.description,
    );
    const docker = new Dockerode(target.options);
    const engine = { description: c.description, host: c.host, remote: target.remote };
    if (await answers(docker, pingMs(target, c.explicit))) return { docker, engine };
    tried.push(c.description);
    // The default socket (found, or named in DOCKER_HOST): root on Debian may start dockerd there.
    if (c.host === `unix://${DEFAULT_SOCKET}`) fallback = { docker, candidate: c };
    if (c.explicit && !(fallback && mayStart))
      return { docker: await explicitFailed(c, target), engine };
  }
  if (fallback && mayStart) {
    const engine = {
      description: fallback.candidate.description,
      host: fallback.candidate.host,
      remote: false,
    };
    return { docker: await startLocalEngine(fallback.docker, onProgress, opts), engine };
  }
  throw new Error(noEngineMessage(tried, finder.platform, finder.defaultSocket ?? DEFAULT_SOCKET));
}

/** The engine the user named (DOCKER_HOST, DOCKER_CONTEXT) does not answer. */
async function explicitFailed(c: EngineCandidate, target: EngineTarget): Promise<never> {
  if (target.remote) {
    throw new Error(
      `The Docker engine at ${c.description} does not answer. Check that it runs and is ` +
        'reachable (for ssh://, that `ssh` to it works with your agent and the user may use Docker); ' +
        `or ${c.source === 'DOCKER_HOST' ? 'unset DOCKER_HOST' : 'unset DOCKER_CONTEXT'} to look for a local engine.`,
    );
  }
  const socket = target.options.socketPath ?? DEFAULT_SOCKET;
  permissionCheck(socket);
  throw new Error(
    `No Docker engine answers on ${socket} (from ${c.source === 'DOCKER_HOST' ? 'DOCKER_HOST' : c.description}). ` +
      `Start it, or ${c.source === 'DOCKER_HOST' ? 'unset DOCKER_HOST' : 'unset DOCKER_CONTEXT'}.`,
  );
}

/** A socket that exists but may not be used says how to get the right to. */
function permissionCheck(socket: string): void {
  if (!existsSync(socket) || process.platform === 'win32') return;
  try {
    accessSync(socket, constants.R_OK | constants.W_OK);
  } catch {
    throw new Error(
      `Permission denied on ${socket}: add your user to the docker group ` +
        '(`sudo usermod -aG docker $USER`, then log in again) or run as root.',
    );
  }
}

/** Root on Debian: we may install docker.io and start dockerd. */
function installable(): boolean {
  return isRoot() && existsSync('/etc/debian_version') && process.platform === 'linux';
}

/** None answered: what was tried, and what to start, in words someone at a desktop can act on. */
function noEngineMessage(tried: string[], platform: NodeJS.Platform, socket: string): string {
  // A socket that is there but not ours to use: the group is the fix, not starting anything.
  permissionCheck(socket);
  const debianHint =
    platform === 'linux' && existsSync('/etc/debian_version') && !isRoot()
      ? ' On Debian, `sudo apt-get install -y docker.io` installs an engine (or run `egress-lab setup` as root).'
      : '';
  return `No container engine answers (tried: ${tried.join('; ')}). ${whatToStart(platform)}${debianHint}`;
}

/** Root on Debian with no engine: install docker.io when missing, start dockerd, wait for it. */
async function startLocalEngine(
  docker: Dockerode,
  onProgress: ProgressFn,
  opts: EnsureEngineOptions,
): Promise<Dockerode> {
  const socket = DEFAULT_SOCKET;
  permissionCheck(socket);
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
