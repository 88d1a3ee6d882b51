// Bad input against a real engine: refused with a clear error and nothing applied. A bad
// lab file or --name makes no Docker API call at all; a bad change to a running lab leaves
// its rules, routes and BIRD config byte for byte; a hostile capture filter reaches
// tcpdump as argv words and no file appears in the container.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabInputError } from '../../src/core/errors.js';
import { LABEL_LAB } from '../../src/runtime/lab/labels.js';
import { LabService } from '../../src/service/lab-service.js';
import { BAD_CASES, DEEP, HUGE, TEMPLATE, TEMPLATE_PATH } from '../unit/bad-input/cases.js';

const tag = randomBytes(2).toString('hex');
const LAB = `bad-input-${tag}`;
const HOSTILE = '; touch /tmp/pwned';
const CLI = join(import.meta.dirname, '../../bin/egress-lab.js');
const service = new LabService();
let docker: Dockerode;

type Dial = (
  options: { method?: string; path?: string; options?: { Cmd?: string[] } },
  cb: unknown,
) => unknown;

/** Records every Docker API request this process makes while `fn` runs. */
async function apiCallsDuring(
  fn: () => Promise<unknown>,
): Promise<{ path: string; cmd?: string[] }[]> {
  const modem = docker.modem as unknown as { dial: Dial };
  const original = modem.dial;
  const calls: { path: string; cmd?: string[] }[] = [];
  modem.dial = function (this: unknown, options, cb) {
    calls.push({
      path: `${options.method} ${options.path}`,
      ...(options.options?.Cmd ? { cmd: options.options.Cmd } : {}),
    });
    return original.call(this, options, cb);
  };
  try {
    await fn();
  } finally {
    modem.dial = original;
  }
  return calls;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a refusal');
}

/** What a node's dataplane is: nat table, ipsets, routes, BIRD's config. */
async function dataplane(node: string): Promise<string> {
  const rt = await service.runtime();
  const parts = await Promise.all(
    [
      ['iptables-save', '-t', 'nat'],
      ['ipset', 'save'],
      ['ip', 'route', 'show', 'table', 'all'],
      ['cat', '/etc/bird/bird.conf'],
    ].map(async (argv) => (await rt.exec(LAB, node, argv)).stdout),
  );
  return parts.join('\n@@\n').replace(/^# (Generated|Completed) .*$/gm, ''); // time stamps
}

beforeAll(async () => {
  await service.setup();
  docker = (await service.runtime()).docker;
  await service.up([{ file: TEMPLATE_PATH, text: TEMPLATE }], { name: LAB });
});

afterAll(async () => {
  await service.down(LAB).catch(() => undefined);
  await service.close();
});

describe('bad lab files make no engine call', () => {
  it.each([
    ...BAD_CASES.map((c) => [c.what, c.text] as const),
    ['over 1 MiB', HUGE] as const,
    ['200 levels deep', DEEP] as const,
  ])('%s', async (_what, text) => {
    const name = `bad-file-${tag}`;
    let error: Error | undefined;
    const calls = await apiCallsDuring(async () => {
      error = await rejection(service.up([{ file: 'lab.yaml', text }], { name }));
    });
    expect(error).toBeInstanceOf(LabInputError);
    expect(calls).toEqual([]);
    expect(
      await docker.listContainers({ all: true, filters: { label: [`${LABEL_LAB}=${name}`] } }),
    ).toEqual([]);
  });

  it('the CLI refuses --name $(touch …): exit 1, no file, no container', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-input-'));
    const marker = join(dir, 'pwned');
    let code = 0;
    let err = '';
    try {
      execFileSync(process.execPath, [CLI, 'up', TEMPLATE_PATH, '--name', `$(touch ${marker})`], {
        stdio: 'pipe',
      });
    } catch (e) {
      code = (e as { status: number }).status;
      err = String((e as { stderr: Buffer }).stderr);
    }
    expect(code).toBe(1);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/lab name .* is not valid/);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('bad changes to a running lab change nothing', () => {
  const peer = `apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: { name: nobody }
spec: { peerIP: 172.30.0.99, asNumber: 64500 }
`;
  const pool = (cidr: string) => `apiVersion: projectcalico.org/v3
kind: IPPool
metadata: { name: extra }
spec: { cidr: ${cidr}, natOutgoing: true }
`;
  it.each([
    ['a 0.0.0.0/0 pool', pool('0.0.0.0/0'), /Link Local/],
    ['a pool overlapping the fabric', pool('172.30.0.0/16'), /overlaps the lab fabric/],
    ['a BGPPeer to an address nobody has', peer, /nobody would answer/],
  ])('apply %s', async (_what, text, message) => {
    const before = await Promise.all(['node-1', 'node-2'].map(dataplane));
    const pools = await service.pools(LAB);
    const e = await rejection(service.apply(LAB, [{ file: 'change.yaml', text }]));
    const lines =
      e instanceof LabInputError ? e.problems.map((p) => `${p.message}`).join('\n') : e.message;
    expect(lines).toMatch(message);
    expect(await Promise.all(['node-1', 'node-2'].map(dataplane))).toEqual(before);
    expect(await service.pools(LAB)).toEqual(pools);
  });

  it('a patch that changes a pool CIDR', async () => {
    const before = await dataplane('node-1');
    const e = await rejection(
      service.patchPool(LAB, 'default-ipv4-ippool', { spec: { cidr: '0.0.0.0/0' } }),
    );
    expect(
      e.message + ((e as LabInputError).problems?.map((p) => p.message).join(' ') ?? ''),
    ).toMatch(/cannot be modified|Link Local/);
    expect(await dataplane('node-1')).toBe(before);
  });
});

describe('hostile capture filters and traffic targets', () => {
  const pwned = async (container: string): Promise<boolean> =>
    (await (await service.runtime()).exec(LAB, container, ['test', '-e', '/tmp/pwned']))
      .exitCode === 0;

  it('a filter string with "; touch /tmp/pwned" reaches tcpdump as words; no file appears', async () => {
    let error: Error | undefined;
    const calls = await apiCallsDuring(async () => {
      error = await rejection(
        service.live.startCapture({ lab: LAB, container: 'internet', filter: `icmp ${HOSTILE}` }),
      );
    });
    expect(error?.message).toMatch(/tcpdump|filter|syntax/i);
    const tcpdump = calls.find((c) => c.cmd?.includes('tcpdump'))?.cmd ?? [];
    expect(tcpdump.slice(tcpdump.indexOf('--') + 1)).toEqual(['icmp', ';', 'touch', '/tmp/pwned']);
    expect(await pwned('internet')).toBe(false);
  });

  it('the same text as one filter word reaches tcpdump as that one argv token', async () => {
    const rt = await service.runtime();
    let error: Error | undefined;
    const calls = await apiCallsDuring(async () => {
      const cap = rt.capture(LAB, 'internet', { iface: 'eth0', filter: [HOSTILE] });
      error = await rejection(cap.ready);
      await cap.done.catch(() => undefined);
    });
    expect(error?.message).toMatch(/tcpdump/);
    const tcpdump = calls.find((c) => c.cmd?.includes('tcpdump'))?.cmd ?? [];
    expect(tcpdump.slice(-2)).toEqual(['--', HOSTILE]);
    expect(tcpdump.filter((w) => w.includes('pwned'))).toEqual([HOSTILE]); // one token, nowhere else
    expect(await pwned('internet')).toBe(false);
  });

  it('traffic to "; touch /tmp/pwned" is refused; no file appears', async () => {
    const e = await rejection(
      service.live.startTraffic({
        lab: LAB,
        from: 'web-1',
        to: HOSTILE,
        protocol: 'tcp',
        port: 8080,
      }),
    );
    expect(e.message).toMatch(/no host, pod or node|not an? /i);
    expect(await pwned('web-1')).toBe(false);
  });
});
