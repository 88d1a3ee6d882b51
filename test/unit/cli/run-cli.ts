// Runs the CLI in-process with captured output and real files.
import { readFile, writeFile } from 'node:fs/promises';
import { main } from '../../../src/shells/cli/main.js';

export async function runCli(
  argv: string[],
  opts: { stdin?: string; tty?: boolean; columns?: number } = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    readFile: (p) => readFile(p, 'utf8'),
    ...(opts.tty ? { stderrIsTTY: true, columns: opts.columns ?? 80 } : {}),
    ...(opts.stdin !== undefined ? { readStdin: async () => opts.stdin! } : {}),
    writeFile: (p, t) => writeFile(p, t),
    signal: new AbortController().signal,
  });
  return { code, out, err };
}
