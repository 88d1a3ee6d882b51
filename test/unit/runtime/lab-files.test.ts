import type Dockerode from 'dockerode';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ApplyAgent } from '../../../src/runtime/agent/apply-agent.js';
import {
  firstTarFile,
  labFilePath,
  readLabFile,
  writeLabFile,
} from '../../../src/runtime/lab/lab-files.js';
import { buildTar } from '../../../src/runtime/engine/tar.js';

describe('lab record archive', () => {
  it('reads back the file a tar holds, whatever its size relative to 512-byte blocks', () => {
    for (const size of [0, 1, 511, 512, 513, 70_000]) {
      const body = 'x'.repeat(size);
      const out = firstTarFile(buildTar([{ name: 'egress-lab-state.json', content: body }]));
      expect(out?.toString()).toBe(body);
    }
  });

  it('gives nothing for a truncated archive', () => {
    expect(firstTarFile(Buffer.alloc(100))).toBeUndefined();
  });
});

/** An engine whose archive API keeps files in a map; counts its calls. */
function fakeEngine(files: Map<string, string>) {
  const calls: string[] = [];
  const docker = {
    getContainer: (name: string) => ({
      getArchive: async ({ path }: { path: string }) => {
        calls.push(`get ${name}:${path}`);
        const body = files.get(`${name}:${path}`);
        if (body === undefined) throw Object.assign(new Error('no such file'), { statusCode: 404 });
        return Readable.from([buildTar([{ name: path.split('/').pop()!, content: body }])]);
      },
      putArchive: async (tar: Buffer, { path }: { path: string }) => {
        calls.push(`put ${name}:${path}`);
        const body = firstTarFile(tar)!.toString();
        const file = tar.subarray(0, 100).toString().replace(/\0.*$/s, '');
        files.set(`${name}:${path}/${file}`, body);
      },
    }),
  } as unknown as Dockerode;
  return { docker, calls };
}

/** An agent answering get/put from the same map (as the container's own file system). */
function fakeAgent(files: Map<string, string>, container: string, alive = true) {
  const requests: string[] = [];
  const agent = {
    alive,
    request: async (verb: string, body: Buffer | string) => {
      requests.push(verb);
      if (verb === 'get') {
        const v = files.get(`${container}:${String(body)}`);
        return v === undefined
          ? { exitCode: 44, stdout: '', stderr: '' }
          : { exitCode: 0, stdout: v, stderr: '' };
      }
      if (verb === 'put') {
        const tar = body as Buffer;
        const name = tar.subarray(0, 100).toString().replace(/\0.*$/s, '');
        files.set(`${container}:/${name}`, firstTarFile(tar)!.toString());
        return { exitCode: 0, stdout: '', stderr: '' };
      }
      return { exitCode: 2, stdout: '', stderr: 'unknown' };
    },
  } as unknown as ApplyAgent;
  return { agent, requests };
}

describe('files in lab containers', () => {
  const file = { container: 'tor', dir: '/var/lib', name: 'state.json', content: '{"v":1}' };

  it('refuses paths that are not absolute plain paths', () => {
    expect(labFilePath('/var/lib', 'state.json')).toBe('/var/lib/state.json');
    for (const [dir, name] of [
      ['var/lib', 'x'],
      ['/var/../etc', 'x'],
      ['/var/lib', '..'],
      ['/var/lib', 'a b'],
      ['/var/lib', 'a;b'],
      ['/var//lib', 'x'],
    ] as const)
      expect(() => labFilePath(dir, name), `${dir} ${name}`).toThrow(/file /);
  });

  it('goes through the container’s agent when there is one, with no archive call', async () => {
    const files = new Map<string, string>();
    const { docker, calls } = fakeEngine(files);
    const { agent, requests } = fakeAgent(files, 'lab1-tor');
    await writeLabFile(docker, 'lab1', file, agent);
    expect(await readLabFile(docker, 'lab1', 'tor', '/var/lib/state.json', agent)).toBe('{"v":1}');
    expect(await readLabFile(docker, 'lab1', 'tor', '/var/lib/none.json', agent)).toBeUndefined();
    expect(requests).toEqual(['put', 'get', 'get']);
    expect(calls).toEqual([]);
  });

  it('uses the archive API without a live agent, and the two see the same file', async () => {
    const files = new Map<string, string>();
    const { docker, calls } = fakeEngine(files);
    const dead = fakeAgent(files, 'lab1-tor', false);
    await writeLabFile(docker, 'lab1', file, dead.agent);
    expect(calls).toEqual(['put lab1-tor:/var/lib']);
    expect(dead.requests).toEqual([]);
    expect(await readLabFile(docker, 'lab1', 'tor', '/var/lib/state.json')).toBe('{"v":1}');
    expect(await readLabFile(docker, 'lab1', 'tor', '/var/lib/other.json')).toBeUndefined();
    const live = fakeAgent(files, 'lab1-tor');
    expect(await readLabFile(docker, 'lab1', 'tor', '/var/lib/state.json', live.agent)).toBe(
      '{"v":1}',
    );
  });

  it('says what it could not write, and where', async () => {
    const docker = {
      getContainer: () => ({
        putArchive: async () => {
          throw new Error('no such container');
        },
      }),
    } as unknown as Dockerode;
    await expect(writeLabFile(docker, 'lab1', file)).rejects.toThrow(
      'could not write /var/lib/state.json in tor: no such container',
    );
  });
});
