// Bad lab input is refused with a clear, positioned error before anything reaches the
// engine: the service runs with a runtime that records any use at all, and the CLI exits
// 1 with one line per problem and no stack trace.
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, LabInputError } from '../../../src/core/errors.js';
import type Dockerode from 'dockerode';
import { LabRuntime } from '../../../src/runtime/lab/lab-runtime.js';
import { LabService } from '../../../src/service/lab-service.js';
import { runCli } from '../cli/run-cli.js';
import { BAD_CASES, DEEP, DEEP_FLOW, HUGE, TEMPLATE, positionOf } from './cases.js';

/** A service whose Docker client notes every property touched: any engine call would show here. */
function trapService(): { service: LabService; touched: string[] } {
  const touched: string[] = [];
  const docker = new Proxy(
    {},
    {
      get(_t, prop) {
        if (prop === 'then') return undefined; // not a thenable
        touched.push(String(prop));
        throw new Error(`engine touched: ${String(prop)}`);
      },
    },
  ) as Dockerode;
  const runtime = new LabRuntime(docker, { image: 'egress-lab/node:test' });
  return { service: new LabService({ runtime }), touched };
}

async function refusal(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to be refused');
}

describe('bad lab files: clear error, engine untouched', () => {
  it.each(BAD_CASES)('$what', async (c) => {
    const { service, touched } = trapService();
    const e = await refusal(service.up([{ file: 'lab.yaml', text: c.text }]));
    expect(e).toBeInstanceOf(LabInputError);
    const lines = (e as LabInputError).problems.map(formatProblem);
    const { line, col } = positionOf(c.text, c.at);
    const first = lines.find((l) => c.expect.test(l.replace(/^lab\.yaml:\d+:\d+: /, '')));
    expect(first, lines.join('\n')).toBeDefined();
    expect(first).toMatch(new RegExp(`^lab\\.yaml:${line}:${col}: `));
    expect(touched).toEqual([]);
  });

  it.each([
    ['over 1 MiB', HUGE, /file is too large .* limited to 1 MiB/],
    ['nested 200 levels (block)', DEEP, /nesting is deeper than 64 levels/],
    ['nested 100 levels (flow)', DEEP_FLOW, /nesting is deeper than 64 levels/],
  ])('a file %s', async (_what, text, message) => {
    const { service, touched } = trapService();
    const e = await refusal(service.up([{ file: 'lab.yaml', text }]));
    expect(e).toBeInstanceOf(LabInputError);
    expect((e as LabInputError).problems.map(formatProblem).join('\n')).toMatch(message);
    expect(touched).toEqual([]);
  });

  it.each(['$(touch /tmp/pwned)', 'a;b', '../x', 'a/b', 'x`id`', 'UPPER', 'a b', ''])(
    'a --name of %j is refused before any engine call',
    async (name) => {
      const { service, touched } = trapService();
      const e = await refusal(service.up([{ file: 'lab.yaml', text: TEMPLATE }], { name }));
      expect(e.message).toMatch(/lab name .* is not valid/);
      for (const call of [
        () => service.down(name),
        () => service.status(name),
        () => service.patchPool(name, 'default-ipv4-ippool', { spec: { natOutgoing: false } }),
        () => service.live.startCapture({ lab: name, container: 'internet' }),
      ]) {
        expect((await refusal(call())).message).toMatch(/is not valid/);
      }
      expect(touched).toEqual([]);
    },
  );
});

describe('the CLI on bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bad-input-'));

  it.each(BAD_CASES.slice(0, 4))('exits 1 with positioned lines, no stack: $what', async (c) => {
    const file = join(dir, 'lab.yaml');
    writeFileSync(file, c.text);
    const r = await runCli(['up', file]);
    expect(r.code).toBe(1);
    const { line, col } = positionOf(c.text, c.at);
    expect(r.err).toContain(`${file}:${line}:${col}: `);
    expect(r.err).not.toMatch(/^\s+at /m);
  });

  it('refuses --name $(touch …) and runs nothing', async () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, TEMPLATE);
    const marker = join(dir, 'pwned');
    const r = await runCli(['up', file, '--name', `$(touch ${marker})`]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/lab name .* is not valid/);
    expect(r.err).not.toMatch(/^\s+at /m);
    expect(existsSync(marker)).toBe(false);
  });
});
