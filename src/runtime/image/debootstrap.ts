// The lab image without a registry: debootstrap a minimal Debian from the machine's
// own apt mirror, tar it (cached by recipe hash, so a rebuild only re-imports) and
// import it through the engine API. Runs on the machine running egress-lab, which
// may differ from the engine's machine (DOCKER_HOST): the tar travels over the API.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { parseDeb822Sources, parseSourcesList, pickMirror, type AptSource } from './apt-sources.js';
import { BIRD_BINARIES, BIRD_BUILD_DIR, BIRD_BUILD_SCRIPT, BIRD_PATCH } from './bird.js';
import { PACKAGES, SUITE, recipeHash } from './recipe.js';
import { followDockerStream, type ProgressFn } from '../util/progress.js';

export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'egress-lab');
}

export function readAptSources(): AptSource[] {
  const out: AptSource[] = [];
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).sort()) {
      const text = readFileSync(join(dir, f), 'utf8');
      if (f.endsWith('.sources')) out.push(...parseDeb822Sources(text));
      else if (f.endsWith('.list')) out.push(...parseSourcesList(text));
    }
  }
  if (existsSync('/etc/apt/sources.list')) {
    out.push(...parseSourcesList(readFileSync('/etc/apt/sources.list', 'utf8')));
  }
  return out;
}

/** Runs a local program, streaming its output lines; rejects with the tail of its output. */
export function run(
  cmd: string,
  args: readonly string[],
  onLine: (line: string) => void = () => undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const tail: string[] = [];
    const lines = (chunk: Buffer): void => {
      for (const l of chunk.toString().split('\n')) {
        if (!l.trim()) continue;
        tail.push(l);
        if (tail.length > 20) tail.shift();
        onLine(l);
      }
    };
    child.stdout.on('data', lines);
    child.stderr.on('data', lines);
    child.on('error', (e) => reject(new Error(`${cmd}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${tail.join('\n')}`));
    });
  });
}

function which(cmd: string): boolean {
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin')
    .split(':')
    .concat(['/usr/sbin', '/sbin'])
    .some((d) => existsSync(join(d, cmd)));
}

/** The proxy apt is configured with, if any: debootstrap's wget only reads the environment. */
async function aptProxy(): Promise<string | undefined> {
  let out = '';
  try {
    await run('apt-config', ['shell', 'P', 'Acquire::http::Proxy'], (l) => (out += l));
  } catch {
    return undefined;
  }
  const m = /^P='(.*)'$/.exec(out.trim());
  return m?.[1] || undefined;
}

async function ensureDebootstrap(onProgress: ProgressFn): Promise<void> {
  if (which('debootstrap')) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/etc/debian_version')) {
    throw new Error(
      'No container registry is reachable to build the lab image, and debootstrap is not installed. ' +
        'Install it (Debian/Ubuntu: `apt-get install -y debootstrap`, as root) or make the image ' +
        '`debian:bookworm-slim` available to the engine (docker pull / docker load).',
    );
  }
  onProgress('image', 'installing debootstrap');
  await run('apt-get', ['update'], (l) => onProgress('image', l));
  await run('apt-get', ['install', '-y', 'debootstrap'], (l) => onProgress('image', l), {
    ...process.env,
    DEBIAN_FRONTEND: 'noninteractive',
  });
}

/** Builds (or reuses) the cached root file system tarball for the current recipe. */
export async function rootfsTarball(onProgress: ProgressFn): Promise<string> {
  const dir = cacheDir();
  const tarPath = join(dir, `rootfs-${SUITE}-${recipeHash()}.tar`);
  if (existsSync(tarPath) && (await stat(tarPath)).size > 0) {
    onProgress('image', `using cached root file system ${tarPath}`);
    return tarPath;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(
      'Building the lab image without a registry needs debootstrap as root. Run `npm run setup` as root, ' +
        'or make `debian:bookworm-slim` available to the engine so the image builds from a Dockerfile.',
    );
  }
  await ensureDebootstrap(onProgress);
  const mirror = pickMirror(readAptSources(), SUITE);
  if (!mirror) {
    throw new Error(
      'No Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d/*: ' +
        'debootstrap needs one to build the lab image.',
    );
  }
  await mkdir(dir, { recursive: true });
  const work = await mkdtemp(join(dir, 'build-'));
  const rootfs = join(work, 'rootfs');
  try {
    const proxy = await aptProxy();
    const env = { ...process.env, ...(proxy ? { http_proxy: proxy } : {}) };
    onProgress('image', `debootstrap ${SUITE} from ${mirror}`);
    await run(
      'debootstrap',
      ['--variant=minbase', `--include=${PACKAGES.join(',')}`, SUITE, rootfs, mirror],
      (l) => onProgress('image', l),
      env,
    );
    await buildBird(rootfs, join(work, 'bird-build-root'), proxy, onProgress);
    // Shrink: downloaded packages and apt lists are not needed at run time.
    await rm(join(rootfs, 'var/cache/apt/archives'), { recursive: true, force: true });
    await mkdir(join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
    await rm(join(rootfs, 'var/lib/apt/lists'), { recursive: true, force: true });
    await mkdir(join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });
    onProgress('image', 'packing root file system');
    const partial = `${tarPath}.partial`;
    await run('tar', ['--numeric-owner', '-C', rootfs, '-cf', partial, '.']);
    await rename(partial, tarPath);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return tarPath;
}

/**
 * Builds the lab's BIRD (see image-bird.ts) in a throwaway copy of the fresh root file
 * system, so the binaries match its libraries and the build tools stay out of the image;
 * installs them in the root file system's /usr/local/sbin.
 */
async function buildBird(
  rootfs: string,
  builder: string,
  proxy: string | undefined,
  onProgress: ProgressFn,
): Promise<void> {
  onProgress('image', 'building the lab BIRD (Debian bird2 source + connect delay patch)');
  await run('cp', ['-a', rootfs, builder]);
  try {
    await copyFile('/etc/resolv.conf', join(builder, 'etc/resolv.conf')).catch(() => undefined);
    await mkdir(join(builder, BIRD_BUILD_DIR), { recursive: true });
    await writeFile(join(builder, BIRD_BUILD_DIR, 'connect-delay.patch'), BIRD_PATCH);
    await writeFile(join(builder, BIRD_BUILD_DIR, 'bird-build.sh'), BIRD_BUILD_SCRIPT);
    const env = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: '/root',
      LC_ALL: 'C',
    };
    await run(
      'chroot',
      [
        builder,
        'sh',
        `${BIRD_BUILD_DIR}/bird-build.sh`,
        proxy ? `-o Acquire::http::Proxy=${proxy}` : '',
      ],
      (l) => onProgress('image', l),
      env,
    );
    await mkdir(join(rootfs, 'usr/local/sbin'), { recursive: true });
    for (const b of BIRD_BINARIES)
      await copyFile(join(builder, 'usr/local/sbin', b), join(rootfs, 'usr/local/sbin', b));
  } finally {
    await rm(builder, { recursive: true, force: true });
  }
}

/** Imports the cached tarball into the engine as `tag`. */
export async function importRootfs(
  docker: Dockerode,
  tarPath: string,
  tag: string,
  onProgress: ProgressFn,
): Promise<void> {
  const [repo, version] = tag.split(':') as [string, string];
  onProgress('image', `importing ${tag}`);
  const stream = (await docker.importImage(createReadStream(tarPath), {
    repo,
    tag: version,
  })) as NodeJS.ReadableStream;
  await followDockerStream(stream, (l) => onProgress('image', l));
}
