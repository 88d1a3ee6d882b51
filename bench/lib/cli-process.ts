// The CLI as a user runs it: a fresh `node bin/egress-lab.js …` process, timed from just
// before the spawn (so Node's own start-up counts) to its exit. EGRESS_LAB_BENCH_CLI=PATH
// runs another build's launcher instead (e.g. a copy of the previous commit's bin/ + dist/),
// so that before and after are measured in the same conditions.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nowMs } from './clock.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function cliPath(): string {
  return process.env.EGRESS_LAB_BENCH_CLI ?? `${REPO_ROOT}bin/egress-lab.js`;
}

export interface ProcessRun {
  startMs: number; // just before spawn (CLOCK_REALTIME, as tcpdump's stamps)
  exitMs: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node ARGS…` to its end; resolves with the times and output. */
export function runNode(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const startMs = nowMs();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ startMs, exitMs: nowMs(), code, stdout, stderr }));
  });
}

export function runCli(args: string[], env?: NodeJS.ProcessEnv): Promise<ProcessRun> {
  return runNode([cliPath(), ...args], env);
}

/** A long-running CLI command (serve); resolves once a line of its output matches `ready`. */
export async function startCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  timeoutMs = 30_000,
): Promise<{ output: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [cliPath(), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`egress-lab ${args[0]} did not start: ${out}`)),
      timeoutMs,
    );
    const onData = (b: Buffer): void => {
      out += b.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`egress-lab ${args[0]} exited (${code}): ${out}`));
    });
  });
  return {
    output: () => out,
    stop: async () => {
      child.kill('SIGINT'); // serve's Ctrl-C: it removes its announcement and closes
      return exited;
    },
  };
}
