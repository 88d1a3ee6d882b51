// `exec NAME -- CMD…` hands everything after `--` to the container untouched, even words that
// look like the CLI's own options (`-h`, `--help`, `--name`).
import { describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => [] as { lab: string; container: string; argv: readonly string[] }[]);

vi.mock('../../../src/shells/cli/service.js', () => ({
  withService: async <T>(fn: (s: unknown) => Promise<T>): Promise<T> =>
    fn({
      onlyLab: async () => 'only-lab',
      runtime: async () => ({
        exec: async (lab: string, container: string, argv: readonly string[]) => {
          calls.push({ lab, container, argv });
          return { stdout: 'out\n', stderr: '', exitCode: 3 };
        },
      }),
    }),
}));

import { runCli } from './run-cli.js';

describe('exec --', () => {
  it('passes the argv after -- as it is, and exits with its status', async () => {
    const r = await runCli(['exec', 'web-1', '--', 'ls', '-h', '--help', '--name', 'x', '--']);
    expect(r.err).toBe('');
    expect(r.code).toBe(3);
    expect(r.out).toBe('out\n');
    expect(calls.at(-1)).toEqual({
      lab: 'only-lab',
      container: 'web-1',
      argv: ['ls', '-h', '--help', '--name', 'x', '--'],
    });
  });

  it("options before -- are the CLI's: --name picks the lab, -h is help", async () => {
    await runCli(['exec', '--name', 'lab-a', 'tor', '--', 'ip', 'route']);
    expect(calls.at(-1)).toEqual({ lab: 'lab-a', container: 'tor', argv: ['ip', 'route'] });
    const n = calls.length;
    const help = await runCli(['exec', '-h', 'tor', '--', 'ls']);
    expect(help.out).toContain('usage: egress-lab exec');
    expect(calls.length).toBe(n);
  });
});
