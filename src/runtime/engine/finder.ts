// Where a Docker-compatible engine may be listening, in the order we try them. Pure: the
// environment, the platform, the home directory and a file-system probe come in, a list of
// candidates goes out, so every case is unit-tested without Docker Desktop, Podman, Colima,
// OrbStack or Rancher Desktop on the machine. The runtime (engine.ts) pings them in order.
//
// The order, as the README documents it:
//  1. DOCKER_HOST, when set: that engine only (the user said so; no silent fallback).
//  2. DOCKER_CONTEXT, when set (and not `default`): that context only, as the docker CLI does.
//  3. The docker CLI's current context (`currentContext` in ~/.docker/config.json), when it
//     is not `default`: tried first, the others after it (a GUI app should still find a
//     running engine when the CLI's context points at a stopped one).
//  4. Known per-user sockets that exist: Docker Desktop, Podman, Colima, OrbStack, Rancher
//     Desktop.
//  5. The default socket /var/run/docker.sock (always: the engine as root on Linux, and the
//     symlink Docker Desktop and others may create on macOS); on Windows the named pipes.
import { createHash } from 'node:crypto';
import { posix, win32 } from 'node:path';

export type EngineSource =
  | 'DOCKER_HOST'
  | 'context'
  | 'docker-desktop'
  | 'podman'
  | 'colima'
  | 'orbstack'
  | 'rancher-desktop'
  | 'default-socket'
  | 'windows-pipe';

export interface EngineCandidate {
  source: EngineSource;
  /** For people: "Docker Desktop at ~/.docker/desktop/docker.sock", "context colima (unix://…)". */
  description: string;
  /** The engine address: unix://PATH, npipe:////./pipe/NAME, tcp://HOST:PORT, ssh://USER@HOST. */
  host: string;
  /** Set by the user (DOCKER_HOST, DOCKER_CONTEXT): nothing else is tried when it fails. */
  explicit: boolean;
  /** A context's TLS material (ca.pem, cert.pem, key.pem), when its store has a folder for it. */
  tlsDir?: string;
  /** A context's SkipTLSVerify. */
  skipTLSVerify?: boolean;
}

/** What the finder may ask of the file system. */
export interface FinderProbe {
  /** Whether something (a socket) exists at this path. */
  exists(path: string): boolean;
  /** The file's text, or undefined when it cannot be read. */
  readFile(path: string): string | undefined;
}

export interface FinderInput {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  home: string;
  probe: FinderProbe;
  /** The default socket; DEFAULT_SOCKET unless a test puts it elsewhere. */
  defaultSocket?: string;
}

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** A found engine described for people: "Docker Desktop at ~/.docker/desktop/docker.sock". */
function tilde(path: string, home: string): string {
  return home && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

interface KnownSocket {
  source: EngineSource;
  name: string;
  path: (home: string, env: FinderInput['env']) => string | undefined;
  platforms: readonly NodeJS.Platform[];
}

const unixLike: readonly NodeJS.Platform[] = ['linux', 'darwin', 'freebsd'];

/**
 * Per-user sockets, in the order tried. Where each is documented:
 * - Docker Desktop for Linux: a per-user socket ~/.docker/desktop/docker.sock (its
 *   `desktop-linux` context; docker/docs#23308, testcontainers-java#6426).
 * - Docker Desktop for macOS: ~/.docker/run/docker.sock (docker/for-mac#6529), besides the
 *   /var/run/docker.sock symlink it may create.
 * - Podman: the rootless API socket $XDG_RUNTIME_DIR/podman/podman.sock (podman.socket user
 *   unit, podman-system-service(1)); rootful /run/podman/podman.sock; a Podman machine on
 *   macOS forwards its API to the path `podman machine inspect` prints, most often
 *   $TMPDIR/podman/podman-machine-default-api.sock or
 *   ~/.local/share/containers/podman/machine/[qemu/]podman.sock.
 * - Colima: ~/.colima/default/docker.sock from v0.4.0, ~/.colima/docker.sock before
 *   (Colima's docs/FAQ.md, "Docker socket location").
 * - OrbStack: ~/.orbstack/run/docker.sock (orbstack/orbstack discussion #998).
 * - Rancher Desktop (moby engine): ~/.rd/docker.sock (docs.rancherdesktop.io,
 *   "Using Testcontainers with Rancher Desktop").
 */
const KNOWN: readonly KnownSocket[] = [
  {
    source: 'docker-desktop',
    name: 'Docker Desktop',
    path: (h) => `${h}/.docker/desktop/docker.sock`,
    platforms: ['linux'],
  },
  {
    source: 'docker-desktop',
    name: 'Docker Desktop',
    path: (h) => `${h}/.docker/run/docker.sock`,
    platforms: ['darwin'],
  },
  {
    source: 'podman',
    name: 'Podman',
    path: (_, env) =>
      env.XDG_RUNTIME_DIR ? `${env.XDG_RUNTIME_DIR}/podman/podman.sock` : undefined,
    platforms: ['linux', 'freebsd'],
  },
  {
    source: 'podman',
    name: 'Podman (rootful)',
    path: () => '/run/podman/podman.sock',
    platforms: ['linux', 'freebsd'],
  },
  {
    source: 'podman',
    name: 'Podman machine',
    path: (_, env) =>
      env.TMPDIR
        ? `${env.TMPDIR.replace(/\/+$/, '')}/podman/podman-machine-default-api.sock`
        : undefined,
    platforms: ['darwin'],
  },
  {
    source: 'podman',
    name: 'Podman machine',
    path: (h) => `${h}/.local/share/containers/podman/machine/podman.sock`,
    platforms: ['darwin'],
  },
  {
    source: 'podman',
    name: 'Podman machine',
    path: (h) => `${h}/.local/share/containers/podman/machine/qemu/podman.sock`,
    platforms: ['darwin'],
  },
  {
    source: 'colima',
    name: 'Colima',
    path: (h) => `${h}/.colima/default/docker.sock`,
    platforms: unixLike,
  },
  {
    source: 'colima',
    name: 'Colima',
    path: (h) => `${h}/.colima/docker.sock`,
    platforms: unixLike,
  },
  {
    source: 'orbstack',
    name: 'OrbStack',
    path: (h) => `${h}/.orbstack/run/docker.sock`,
    platforms: ['darwin'],
  },
  {
    source: 'rancher-desktop',
    name: 'Rancher Desktop',
    path: (h) => `${h}/.rd/docker.sock`,
    platforms: unixLike,
  },
];

/** Docker Desktop's pipes on Windows: its engine, and its Linux engine (context desktop-linux). */
export const WINDOWS_PIPES = [
  'npipe:////./pipe/docker_engine',
  'npipe:////./pipe/dockerDesktopLinuxEngine',
];

/** The docker CLI's config folder: DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(input: Pick<FinderInput, 'env' | 'home' | 'platform'>): string {
  const join = input.platform === 'win32' ? win32.join : posix.join;
  return input.env.DOCKER_CONFIG?.trim() || join(input.home, '.docker');
}

/** The name of the context to use and whether the user chose it for this process. */
function currentContext(input: FinderInput): { name: string; explicit: boolean } | undefined {
  const fromEnv = input.env.DOCKER_CONTEXT?.trim();
  if (fromEnv) return { name: fromEnv, explicit: true };
  const join = input.platform === 'win32' ? win32.join : posix.join;
  const text = input.probe.readFile(join(dockerConfigDir(input), 'config.json'));
  if (!text) return undefined;
  try {
    const name = (JSON.parse(text) as { currentContext?: unknown }).currentContext;
    return typeof name === 'string' && name.trim()
      ? { name: name.trim(), explicit: false }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A context's endpoint from the CLI's store: contexts/meta/<sha256 of the name>/meta.json,
 * `Endpoints.docker.Host`; its TLS material under contexts/tls/<same>/docker/.
 */
export function readContext(
  input: FinderInput,
  name: string,
): { host: string; tlsDir?: string; skipTLSVerify: boolean } | { error: string } {
  const join = input.platform === 'win32' ? win32.join : posix.join;
  const dir = dockerConfigDir(input);
  const id = createHash('sha256').update(name).digest('hex');
  const metaFile = join(dir, 'contexts', 'meta', id, 'meta.json');
  const text = input.probe.readFile(metaFile);
  if (text === undefined) return { error: `the docker context "${name}" is not in ${metaFile}` };
  let docker: { Host?: unknown; SkipTLSVerify?: unknown } | undefined;
  try {
    docker = (JSON.parse(text) as { Endpoints?: { docker?: typeof docker } }).Endpoints?.docker;
  } catch {
    return { error: `the docker context "${name}" (${metaFile}) is not valid JSON` };
  }
  if (typeof docker?.Host !== 'string' || !docker.Host.trim())
    return { error: `the docker context "${name}" has no Docker endpoint (${metaFile})` };
  const tlsDir = join(dir, 'contexts', 'tls', id, 'docker');
  return {
    host: docker.Host.trim(),
    skipTLSVerify: docker.SkipTLSVerify === true,
    ...(input.probe.exists(join(tlsDir, 'ca.pem')) || input.probe.exists(join(tlsDir, 'cert.pem'))
      ? { tlsDir }
      : {}),
  };
}

/** Where to look for an engine, in order (see the top of this file). */
export function engineCandidates(input: FinderInput): EngineCandidate[] {
  const host = input.env.DOCKER_HOST?.trim();
  if (host)
    return [{ source: 'DOCKER_HOST', description: `DOCKER_HOST=${host}`, host, explicit: true }];

  const out: EngineCandidate[] = [];
  const ctx = currentContext(input);
  if (ctx && ctx.name !== 'default') {
    const found = readContext(input, ctx.name);
    if ('error' in found) {
      // A context the user chose and we cannot read: say so rather than use another engine.
      if (ctx.explicit) throw new Error(`DOCKER_CONTEXT=${ctx.name}: ${found.error}`);
    } else {
      out.push({
        source: 'context',
        description: `context ${ctx.name} (${found.host})`,
        host: found.host,
        explicit: ctx.explicit,
        skipTLSVerify: found.skipTLSVerify,
        ...(found.tlsDir ? { tlsDir: found.tlsDir } : {}),
      });
      if (ctx.explicit) return out;
    }
  }

  const seen = new Set(out.map((c) => c.host));
  const add = (c: EngineCandidate): void => {
    if (seen.has(c.host)) return;
    seen.add(c.host);
    out.push(c);
  };
  if (input.platform === 'win32') {
    for (const pipe of WINDOWS_PIPES)
      add({
        source: 'windows-pipe',
        description: `Docker Desktop at ${pipe}`,
        host: pipe,
        explicit: false,
      });
    return out;
  }
  for (const k of KNOWN) {
    if (!k.platforms.includes(input.platform)) continue;
    const path = k.path(input.home, input.env);
    if (!path || !input.probe.exists(path)) continue;
    add({
      source: k.source,
      description: `${k.name} at ${tilde(path, input.home)}`,
      host: `unix://${path}`,
      explicit: false,
    });
  }
  const socket = input.defaultSocket ?? DEFAULT_SOCKET;
  add({
    source: 'default-socket',
    description: `the Docker engine at ${socket}`,
    host: `unix://${socket}`,
    explicit: false,
  });
  return out;
}

/** What to start when no engine answers, for someone who launched the app from a menu. */
export function whatToStart(platform: NodeJS.Platform): string {
  if (platform === 'win32')
    return 'Start Docker Desktop (or Rancher Desktop with the dockerd engine, or Podman Desktop with its Docker-compatible pipe), or set DOCKER_HOST.';
  if (platform === 'darwin')
    return 'Start Docker Desktop, OrbStack, Colima, Rancher Desktop (dockerd engine) or Podman Desktop (with its Docker-compatible socket), or set DOCKER_HOST.';
  return 'Start Docker (`sudo systemctl start docker`), Docker Desktop, Podman (`systemctl --user start podman.socket`), Colima or Rancher Desktop, or set DOCKER_HOST.';
}
