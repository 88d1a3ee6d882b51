// What goes to a client names no host path and echoes no raw input: template reads, a lab's
// file in status and source, and error messages (a Node error carries the path it failed on).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toWireError } from '../../../src/service/api-schemas.js';
import { clientMessage, echoed, withoutHostPaths } from '../../../src/service/client-text.js';
import { LabService } from '../../../src/service/lab-service.js';
import { FakeRuntime } from '../../support/fake-runtime.js';

const TEMPLATES = join(import.meta.dirname, '../../../lab-templates');
const LAB = 'outgoing-nat';
const HOST_DIR = /\/(work|home|root|tmp|usr)\//;

let service: LabService<FakeRuntime> | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

describe('no host path reaches a client', () => {
  it('templates:read names the file, not the folder it lives in', async () => {
    service = new LabService({ runtime: new FakeRuntime(), templatesDir: TEMPLATES });
    const src = await service.call('templates:read', { id: LAB });
    expect(src.file).toBe(`${LAB}.yaml`);
    expect(JSON.stringify(await service.call('templates:list', undefined))).not.toMatch(HOST_DIR);
    const err = await service.call('templates:read', { id: 'no-such' }).catch((e: Error) => e);
    expect(toWireError(err).message).toContain("unknown template 'no-such'");
    expect(toWireError(err).message).not.toContain(TEMPLATES);
    expect(toWireError(err).message).not.toMatch(HOST_DIR);
  });

  it("a lab started from a host path shows its file's name in status, events and source", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'egress-client-text-'));
    const file = join(dir, `${LAB}.yaml`);
    writeFileSync(file, readFileSync(join(TEMPLATES, `${LAB}.yaml`)));
    service = new LabService({ runtime: new FakeRuntime(), templatesDir: TEMPLATES });
    const changed: unknown[] = [];
    service.on('lab:changed', (e) => changed.push(e));
    const up = await service.up([{ file, text: readFileSync(file, 'utf8') }]);
    expect(up.file).toBe(`${LAB}.yaml`);
    const [status] = await service.call('lab:status', { name: LAB });
    expect(status!.file).toBe(`${LAB}.yaml`);
    expect((await service.call('lab:source', { name: LAB })).file).toBe(`${LAB}.yaml`);
    expect(changed.length).toBeGreaterThan(0);
    expect(JSON.stringify(changed)).not.toContain(dir);
  });

  it('error messages: Node paths become file names, CIDRs and URLs stay', () => {
    const enoent = Object.assign(
      new Error("ENOENT: no such file or directory, open '/home/alice/labs/secret.yaml'"),
      { code: 'ENOENT' },
    );
    expect(toWireError(enoent).message).toBe(
      "ENOENT: no such file or directory, open 'secret.yaml'",
    );
    expect(
      withoutHostPaths('dockerd did not answer; see /root/.cache/egress-lab/dockerd.log'),
    ).toBe('dockerd did not answer; see dockerd.log');
    expect(withoutHostPaths('pool 10.244.0.0/16 and unix:///var/run/docker.sock')).toBe(
      'pool 10.244.0.0/16 and unix:///var/run/docker.sock',
    );
    const problems = toWireError(
      Object.assign(new Error('bad'), {
        problems: [{ message: 'x in /etc/x/y', position: { file: '/home/a/b.yaml', line: 1 } }],
      }),
    ).problems as { message: string; position: { file: string } }[];
    expect(problems[0]!.message).toBe('x in y');
    expect(problems[0]!.position.file).toBe('b.yaml');
  });
});

describe('client text echoed in errors', () => {
  it('is escaped and cut', () => {
    expect(echoed('a\u001b[31mred')).toBe('a\\u{001b}[31mred');
    const long = echoed('x'.repeat(5000));
    expect(long.length).toBeLessThan(200);
    expect(clientMessage('y'.repeat(20_000)).length).toBeLessThan(9000);
  });

  it('unknown ids of captures, traffic, pods and templates come back printable', async () => {
    service = new LabService({ runtime: new FakeRuntime(), templatesDir: TEMPLATES });
    const evil = `cap-\u0007\u001b]0;pwn\u0007${'z'.repeat(300)}`;
    for (const p of [
      service.call('capture:stop', { captureId: evil }),
      service.call('traffic:stop', { trafficId: evil }),
      service.call('templates:read', { id: evil }),
    ]) {
      const msg = toWireError(await p.catch((e: unknown) => e)).message;
      expect([...msg].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
      expect(msg).not.toContain('z'.repeat(201));
    }
  });
});

describe('request checks', () => {
  it('echo a bad key of the request printable and cut', async () => {
    const { checkRequest } = await import('../../../src/service/api-schemas.js');
    const key = `\u001b]0;x\u0007${'k'.repeat(400)}`;
    const r = checkRequest('lab:down', { name: 'demo', [key]: 1 });
    expect(r.ok).toBe(false);
    const message = (r as { message: string }).message;
    expect(message).toContain('lab:down');
    expect([...message].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
    expect(message).not.toContain('k'.repeat(201));
  });
});

describe('events to a client', () => {
  it('carry no host path in their texts; data passes as it is', async () => {
    const { clientEvent } = await import('../../../src/service/client-text.js');
    expect(
      clientEvent('lab:progress', {
        lab: 'l',
        step: 'engine',
        detail: 'starting dockerd (log: /root/.cache/egress-lab/dockerd.log)',
        done: false,
      }).detail,
    ).toBe('starting dockerd (log: dockerd.log)');
    const packet = { captureId: 'c', raw: 'IP 10.0.0.1 > 203.0.113.10: ICMP /a/b' };
    expect(clientEvent('capture:packet', packet)).toBe(packet);
  });
});
