// How the bench runs the CLI: a fresh node process with its output and exit code, and a
// long-running command (serve) that is ready once a line matches and stops on Ctrl-C.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cliPath, runNode, startCli } from '../../../bench/lib/cli-process.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'egress-bench-cli-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  vi.unstubAllEnvs();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('bench CLI processes', () => {
  it('runNode returns the exit code, both outputs and when it started and ended', async () => {
    const r = await runNode([
      '-e',
      'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)',
    ]);
    expect(r).toMatchObject({ code: 3, stdout: 'out', stderr: 'err' });
    expect(r.exitMs).toBeGreaterThanOrEqual(r.startMs);
  });

  it('startCli waits for the ready line, passes the environment, and stops with SIGINT', async () => {
    const dir = tempDir();
    const fake = join(dir, 'fake-cli.mjs');
    writeFileSync(
      fake,
      [
        'process.on("SIGINT", () => { console.log("stopping"); process.exit(0); });',
        'console.log(`args ${process.argv.slice(2).join(" ")} env ${process.env.MARK}`);',
        'setTimeout(() => console.log("running in browser mode"), 50);',
        'setInterval(() => undefined, 1000);',
      ].join('\n'),
    );
    vi.stubEnv('EGRESS_LAB_BENCH_CLI', fake);
    expect(cliPath()).toBe(fake);
    const p = await startCli(['serve'], { ...process.env, MARK: 'm1' }, /running in browser mode/);
    expect(p.output()).toContain('args serve env m1');
    expect(await p.stop()).toBe(0);
  });

  it('startCli fails with the output when the command exits before it is ready', async () => {
    const dir = tempDir();
    const fake = join(dir, 'fails.mjs');
    writeFileSync(fake, 'console.error("no engine"); process.exit(1);');
    vi.stubEnv('EGRESS_LAB_BENCH_CLI', fake);
    await expect(startCli(['serve'], process.env, /ready/)).rejects.toThrow(
      /exited \(1\): no engine/,
    );
  });
});
