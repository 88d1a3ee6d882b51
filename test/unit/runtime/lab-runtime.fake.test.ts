// LabRuntime's engine-facing decisions against a fake dockerode: which containers `down`
// removes, how labs are listed, and that exec sends argv untouched.
import type Dockerode from 'dockerode';
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LabRuntime } from '../../../src/runtime/lab/lab-runtime.js';

interface FakeContainer {
  Id: string;
  State: string;
  Labels: Record<string, string>;
}

function frame(kind: number, text: string): Buffer {
  const p = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = kind;
  h.writeUInt32BE(p.length, 4);
  return Buffer.concat([h, p]);
}

function fakeDocker(containers: FakeContainer[]) {
  const removed: string[] = [];
  const execs: { container: string; Cmd: string[] }[] = [];
  const docker = {
    listContainers: async (opts: { filters: { label: string[] } }) => {
      const [key, value] = opts.filters.label[0]!.split('=');
      return containers.filter(
        (c) =>
          !removed.includes(c.Id) &&
          key! in c.Labels &&
          (value === undefined || c.Labels[key!] === value),
      );
    },
    getContainer: (id: string) => ({
      id,
      remove: async () => {
        if (removed.includes(id)) throw Object.assign(new Error('gone'), { statusCode: 404 });
        removed.push(id);
      },
      exec: async (o: { Cmd: string[] }) => {
        execs.push({ container: id, Cmd: o.Cmd });
        return {
          start: async () => {
            const d = new Duplex({
              read() {},
              write(_c, _e, cb) {
                cb();
              },
            });
            setImmediate(() => {
              d.push(frame(1, 'out\n'));
              d.push(frame(2, 'err\n'));
              d.push(null);
            });
            return d;
          },
          inspect: async () => ({ Running: false, ExitCode: 3 }),
        };
      },
    }),
  };
  return { docker: docker as unknown as Dockerode, removed, execs };
}

const c = (
  Id: string,
  lab: string,
  name: string,
  role = 'node',
  State = 'running',
): FakeContainer => ({
  Id,
  State,
  Labels: { 'egress-lab.lab': lab, 'egress-lab.name': name, 'egress-lab.role': role },
});

describe('LabRuntime with a fake engine', () => {
  it('down removes every container labelled with the lab, helpers included, and nothing else', async () => {
    const f = fakeDocker([
      c('1', 'a', 'tor'),
      c('2', 'a', 'wiring', 'helper'),
      c('3', 'b', 'tor'),
      c('4', 'a', 'x', 'pod', 'exited'),
    ]);
    const rt = new LabRuntime(f.docker, { image: 'i' });
    expect(await rt.down('a')).toBe(2); // the lab's containers; the helper is removed, not counted
    expect(f.removed.sort()).toEqual(['1', '2', '4']);
    expect(await rt.down('a')).toBe(0); // idempotent
    expect(await rt.down({ all: true })).toBe(1);
    expect(f.removed).toContain('3');
  });

  it('lists labs by label with running counts, wiring helpers left out', async () => {
    const f = fakeDocker([
      c('1', 'b', 'tor'),
      c('2', 'a', 'tor'),
      c('3', 'a', 'web', 'pod', 'exited'),
      c('4', 'a', 'wiring', 'helper', 'exited'),
      c('5', 'c', 'wiring', 'helper'),
    ]);
    expect(await new LabRuntime(f.docker, { image: 'i' }).listLabs()).toEqual([
      { name: 'a', containers: 2, running: 1 },
      { name: 'b', containers: 1, running: 1 },
    ]);
  });

  it('execs argv as given, in the container named <lab>-<name>, and returns exit code and output', async () => {
    const f = fakeDocker([]);
    const rt = new LabRuntime(f.docker, { image: 'i' });
    const r = await rt.exec('lab1', 'web-1', ['echo', '$(reboot)', 'a b']);
    expect(f.execs).toEqual([{ container: 'lab1-web-1', Cmd: ['echo', '$(reboot)', 'a b'] }]);
    expect(r).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    await expect(rt.exec('lab1', 'web 1; reboot', ['true'])).rejects.toThrow(/container name/);
    await expect(rt.ping('lab1', 'web-1', '-f', 1)).rejects.toThrow(/not an IP address/);
  });
});
