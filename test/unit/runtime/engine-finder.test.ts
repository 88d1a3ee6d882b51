import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  engineCandidates,
  whatToStart,
  type FinderInput,
} from '../../../src/runtime/engine/finder.js';

const HOME = '/home/ada';
const sha = (name: string): string => createHash('sha256').update(name).digest('hex');

/** A machine with these files (path -> text; a socket is an empty string). */
function machine(
  files: Record<string, string>,
  env: FinderInput['env'] = {},
  platform: NodeJS.Platform = 'linux',
): FinderInput {
  return {
    env,
    platform,
    home: HOME,
    probe: {
      exists: (p) => p in files,
      readFile: (p) => files[p],
    },
  };
}

function contextFiles(name: string, host: string, extra: Record<string, string> = {}) {
  return {
    [`${HOME}/.docker/config.json`]: JSON.stringify({ currentContext: name }),
    [`${HOME}/.docker/contexts/meta/${sha(name)}/meta.json`]: JSON.stringify({
      Name: name,
      Endpoints: { docker: { Host: host, SkipTLSVerify: false } },
    }),
    ...extra,
  };
}

const hosts = (input: FinderInput): string[] => engineCandidates(input).map((c) => c.host);

describe('engineCandidates', () => {
  it('uses DOCKER_HOST alone when set, whatever else exists', () => {
    const input = machine(
      { ...contextFiles('colima', 'unix:///x.sock'), [`${HOME}/.docker/desktop/docker.sock`]: '' },
      { DOCKER_HOST: 'tcp://127.0.0.1:2375', DOCKER_CONTEXT: 'colima' },
    );
    expect(engineCandidates(input)).toEqual([
      {
        source: 'DOCKER_HOST',
        description: 'DOCKER_HOST=tcp://127.0.0.1:2375',
        host: 'tcp://127.0.0.1:2375',
        explicit: true,
      },
    ]);
  });

  it('only the default socket on a bare Linux machine', () => {
    expect(engineCandidates(machine({}))).toEqual([
      {
        source: 'default-socket',
        description: 'the Docker engine at /var/run/docker.sock',
        host: 'unix:///var/run/docker.sock',
        explicit: false,
      },
    ]);
  });

  it('tries the current context first, then the sockets that exist, then the default one', () => {
    const input = machine(
      contextFiles('colima', `unix://${HOME}/.colima/default/docker.sock`, {
        [`${HOME}/.colima/default/docker.sock`]: '',
        [`${HOME}/.docker/desktop/docker.sock`]: '',
        '/run/user/1000/podman/podman.sock': '',
        [`${HOME}/.rd/docker.sock`]: '',
      }),
      { XDG_RUNTIME_DIR: '/run/user/1000' },
    );
    const found = engineCandidates(input);
    expect(found.map((c) => c.description)).toEqual([
      `context colima (unix://${HOME}/.colima/default/docker.sock)`,
      'Docker Desktop at ~/.docker/desktop/docker.sock',
      'Podman at /run/user/1000/podman/podman.sock',
      // Colima's socket is the context's: tried once.
      'Rancher Desktop at ~/.rd/docker.sock',
      'the Docker engine at /var/run/docker.sock',
    ]);
    expect(found[0]).toMatchObject({ source: 'context', explicit: false });
  });

  it('DOCKER_CONTEXT overrides currentContext and is the only one tried', () => {
    const files = {
      ...contextFiles('colima', 'unix:///c.sock'),
      [`${HOME}/.docker/contexts/meta/${sha('lab')}/meta.json`]: JSON.stringify({
        Endpoints: { docker: { Host: 'ssh://ops@lab.example', SkipTLSVerify: true } },
      }),
      [`${HOME}/.docker/desktop/docker.sock`]: '',
    };
    expect(engineCandidates(machine(files, { DOCKER_CONTEXT: 'lab' }))).toEqual([
      {
        source: 'context',
        description: 'context lab (ssh://ops@lab.example)',
        host: 'ssh://ops@lab.example',
        explicit: true,
        skipTLSVerify: true,
      },
    ]);
  });

  it('`default` means the usual search, and DOCKER_CONFIG moves the CLI folder', () => {
    expect(hosts(machine({}, { DOCKER_CONTEXT: 'default' }))).toEqual([
      'unix:///var/run/docker.sock',
    ]);
    const files = {
      '/cfg/config.json': JSON.stringify({ currentContext: 'remote' }),
      [`/cfg/contexts/meta/${sha('remote')}/meta.json`]: JSON.stringify({
        Endpoints: { docker: { Host: 'tcp://10.0.0.5:2376' } },
      }),
      [`/cfg/contexts/tls/${sha('remote')}/docker/ca.pem`]: 'CA',
    };
    expect(engineCandidates(machine(files, { DOCKER_CONFIG: '/cfg' }))[0]).toMatchObject({
      host: 'tcp://10.0.0.5:2376',
      tlsDir: `/cfg/contexts/tls/${sha('remote')}/docker`,
    });
  });

  it('a DOCKER_CONTEXT that does not exist is an error, a stale currentContext is skipped', () => {
    expect(() => engineCandidates(machine({}, { DOCKER_CONTEXT: 'gone' }))).toThrow(
      /DOCKER_CONTEXT=gone: the docker context "gone" is not in .*meta\.json/,
    );
    const stale = { [`${HOME}/.docker/config.json`]: JSON.stringify({ currentContext: 'gone' }) };
    expect(hosts(machine(stale))).toEqual(['unix:///var/run/docker.sock']);
    const broken = { [`${HOME}/.docker/config.json`]: '{not json' };
    expect(hosts(machine(broken))).toEqual(['unix:///var/run/docker.sock']);
  });

  it('finds the macOS engines where they put their sockets', () => {
    const files = {
      [`${HOME}/.docker/run/docker.sock`]: '',
      [`${HOME}/.orbstack/run/docker.sock`]: '',
      [`${HOME}/.colima/docker.sock`]: '',
      '/var/folders/x/T/podman/podman-machine-default-api.sock': '',
      // Linux-only paths are not looked at on macOS.
      [`${HOME}/.docker/desktop/docker.sock`]: '',
    };
    expect(
      engineCandidates(machine(files, { TMPDIR: '/var/folders/x/T/' }, 'darwin')).map(
        (c) => `${c.source} ${c.host}`,
      ),
    ).toEqual([
      `docker-desktop unix://${HOME}/.docker/run/docker.sock`,
      'podman unix:///var/folders/x/T/podman/podman-machine-default-api.sock',
      `colima unix://${HOME}/.colima/docker.sock`,
      `orbstack unix://${HOME}/.orbstack/run/docker.sock`,
      'default-socket unix:///var/run/docker.sock',
    ]);
  });

  it("tries Docker Desktop's named pipes on Windows", () => {
    expect(hosts(machine({}, {}, 'win32'))).toEqual([
      'npipe:////./pipe/docker_engine',
      'npipe:////./pipe/dockerDesktopLinuxEngine',
    ]);
  });
});

describe('whatToStart', () => {
  it('names the engines a desktop user can start, and DOCKER_HOST', () => {
    expect(whatToStart('darwin')).toMatch(
      /Docker Desktop.*OrbStack.*Colima.*Rancher Desktop.*Podman Desktop.*DOCKER_HOST/,
    );
    expect(whatToStart('win32')).toMatch(/Docker Desktop.*DOCKER_HOST/);
    expect(whatToStart('linux')).toMatch(/Docker.*Podman.*DOCKER_HOST/);
  });
});
