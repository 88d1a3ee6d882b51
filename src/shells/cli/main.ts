// The egress-lab command line: a shell over the lab service, like the Electron
// main process and the browser-mode server. Commands live in commands/*.ts, each
// imported only when it runs: keep this module's imports light (no service, runtime,
// schemas), `--help` and every command pay for them.
import { writeFile } from 'node:fs/promises';
import { LabInputError, formatProblem } from '../../core/errors.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, CheckFailedError, UsageError } from './errors.js';
import type { CliIO } from './io.js';
import { readInputFile } from './files.js';
import { commands } from './commands/index.js';
import type { CommandEntry } from './command.js';

function defaultIO(signal: AbortSignal): CliIO {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    readFile: (p) => readInputFile(p),
    writeFile: (p, t) => writeFile(p, t),
    signal,
  };
}

export function helpText(): string {
  // Usage on its own line, the summary under it: readable at 80 columns.
  return [
    'egress-lab: a network lab for Kubernetes egress (Calico NAT, routes, BGP) on Docker',
    '',
    'usage:',
    ...commands.flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    '',
    'Exit status: 0 success, 1 invalid input or failed check, 2 usage error.',
    '',
  ].join('\n');
}

/** Picks the command whose words match the longest prefix of argv. */
export function findCommand(argv: string[]): { command: CommandEntry; rest: string[] } | undefined {
  let best: CommandEntry | undefined;
  for (const c of commands) {
    if (c.words.every((w, i) => argv[i] === w) && (!best || c.words.length > best.words.length))
      best = c;
  }
  return best ? { command: best, rest: argv.slice(best.words.length) } : undefined;
}

export async function main(argv: string[], io?: CliIO): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  if (!io) process.once('SIGINT', onSigint);
  const cli = io ?? defaultIO(controller.signal);
  try {
    if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
      cli.out(helpText());
      return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
    }
    const found = findCommand(argv);
    if (!found) {
      cli.err(`egress-lab: unknown command '${argv.join(' ')}'\n\n${helpText()}`);
      return EXIT_USAGE;
    }
    if (found.rest.includes('--help') || found.rest.includes('-h')) {
      cli.out(`usage: ${found.command.usage}\n  ${found.command.summary}\n`);
      return EXIT_OK;
    }
    const command = await found.command.load();
    return await command.run({ io: cli, args: found.rest });
  } catch (e) {
    return reportError(cli, e);
  } finally {
    if (!io) process.removeListener('SIGINT', onSigint);
  }
}

export function reportError(io: CliIO, e: unknown): number {
  if (e instanceof UsageError) {
    io.err(`egress-lab: ${e.message}\n`);
    return EXIT_USAGE;
  }
  if (e instanceof LabInputError) {
    for (const p of e.problems) io.err(formatProblem(p) + '\n');
    return EXIT_INVALID;
  }
  if (e instanceof CheckFailedError) {
    io.err(`${e.message}\n`);
    return EXIT_INVALID;
  }
  const err = e as Error;
  io.err(`egress-lab: ${err?.message ?? String(e)}\n`);
  if (process.env.EGRESS_LAB_DEBUG) io.err(`${err?.stack ?? ''}\n`);
  return EXIT_INVALID;
}
