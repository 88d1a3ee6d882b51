// The egress-lab command line: a shell over the lab service, like the Electron
// main process and the browser-mode server. Commands live in commands/*.ts, each
// imported only when it runs: keep this module's imports light (no service, runtime,
// schemas), `--help` and every command pay for them.
import { writeFile } from 'node:fs/promises';
import { LabInputError, formatProblem } from '../../core/errors.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, CheckFailedError, UsageError } from './errors.js';
import type { CliIO } from './io.js';
import { readInputFile, readStdinText } from './files.js';
import { commands } from './commands/index.js';
import type { CommandEntry, CommandSpec, FlagSpec } from './command.js';
import { suggestCommands } from './suggest.js';
import { cliVersion } from './version.js';

function defaultIO(signal: AbortSignal): CliIO {
  return {
    out: (t) => process.stdout.write(t),
    outBytes: (b) => process.stdout.write(b),
    err: (t) => process.stderr.write(t),
    readFile: (p) => readInputFile(p),
    readStdin: () => readStdinText(),
    writeFile: (p, t) => writeFile(p, t),
    signal,
    stderrIsTTY: process.stderr.isTTY === true,
    ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
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
    "'egress-lab help CMD' or 'egress-lab CMD --help' describes a command's options;",
    "'egress-lab completion bash|zsh|fish' prints a shell completion script.",
    'Exit status: 0 success, 1 invalid input or failed check, 2 usage error.',
    '',
  ].join('\n');
}

/** Picks the command whose words (or an alias's) match the longest prefix of argv. */
export function findCommand(argv: string[]): { command: CommandEntry; rest: string[] } | undefined {
  let best: { command: CommandEntry; n: number } | undefined;
  for (const c of commands) {
    for (const words of [c.words, ...(c.aliases ?? [])]) {
      if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.n))
        best = { command: c, n: words.length };
    }
  }
  return best ? { command: best.command, rest: argv.slice(best.n) } : undefined;
}

/**
 * `-o json` (kubectl's and calicoctl's spelling) for a command that takes `--json` and has no
 * `-o` of its own: rewritten to `--json` before the command parses its options (only before `--`).
 */
export function jsonAlias(c: CommandSpec, args: string[]): string[] {
  if (!c.flags.some((f) => f.name === 'json') || c.flags.some((f) => f.short === 'o')) return args;
  const end = args.includes('--') ? args.indexOf('--') : args.length;
  const out: string[] = [];
  for (let i = 0; i < end; i++) {
    const a = args[i]!;
    if ((a === '-o' || a === '--output') && args[i + 1] === 'json') {
      out.push('--json');
      i++;
    } else if (a === '-ojson' || a === '--output=json') out.push('--json');
    else out.push(a);
  }
  return [...out, ...args.slice(end)];
}

function flagLabel(f: FlagSpec): string {
  const long = `--${f.name}${f.value ? ` ${f.value}` : ''}`;
  return f.short ? `-${f.short}, ${long}` : `    ${long}`;
}

/** `help CMD` and `CMD --help`: usage, summary, then every option with what it does. */
export function commandHelp(c: CommandSpec): string {
  const flags: FlagSpec[] = [...c.flags, { name: 'help', short: 'h', help: 'show this help' }];
  const width = Math.max(...flags.map((f) => flagLabel(f).length));
  const lines = [`usage: ${c.usage}`, `  ${c.summary}`, ''];
  if (c.aliases?.length)
    lines.push(`also: ${c.aliases.map((a) => `egress-lab ${a.join(' ')}`).join(', ')}`, '');
  lines.push('options:');
  for (const f of flags) {
    const choices = f.choices ? ` (${f.choices.join('|')})` : '';
    lines.push(`  ${flagLabel(f).padEnd(width)}  ${f.help}${choices}`);
  }
  return lines.join('\n') + '\n';
}

function unknownCommand(argv: string[]): string {
  const close = suggestCommands(argv, commands);
  const hint = close.length
    ? `\n\nThe most similar command${close.length > 1 ? 's are' : ' is'}:\n${close.map((c) => `\t${c}`).join('\n')}\n`
    : `\n\n${helpText()}`;
  return `egress-lab: '${argv.join(' ')}' is not an egress-lab command. See 'egress-lab --help'.${hint}`;
}

export async function main(argv: string[], io?: CliIO): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  if (!io) process.once('SIGINT', onSigint);
  // The reader of stdout going away (`| head`, Wireshark closed) stops a streaming command.
  const onStdoutError = (): void => controller.abort();
  if (!io) process.stdout.on('error', onStdoutError);
  const cli = io ?? defaultIO(controller.signal);
  try {
    if (argv[0] === '--version' || argv[0] === 'version') {
      cli.out(`egress-lab ${cliVersion()}\n`);
      return EXIT_OK;
    }
    if (argv[0] === 'help' && argv.length > 1) {
      const wanted = findCommand(argv.slice(1));
      if (!wanted || wanted.rest.length) {
        cli.err(unknownCommand(argv.slice(1)));
        return EXIT_USAGE;
      }
      cli.out(commandHelp(wanted.command));
      return EXIT_OK;
    }
    if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
      cli.out(helpText());
      return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
    }
    const found = findCommand(argv);
    if (!found) {
      cli.err(unknownCommand(argv));
      return EXIT_USAGE;
    }
    // Only options before `--` are the CLI's: `exec web-1 -- ls -h` runs `ls -h`.
    const own = found.rest.includes('--')
      ? found.rest.slice(0, found.rest.indexOf('--'))
      : found.rest;
    if (own.includes('--help') || own.includes('-h')) {
      cli.out(commandHelp(found.command));
      return EXIT_OK;
    }
    const command = await found.command.load();
    return await command.run({
      io: cli,
      args: jsonAlias(found.command, found.rest),
      specs: commands,
    });
  } catch (e) {
    return reportError(cli, e);
  } finally {
    if (!io) process.removeListener('SIGINT', onSigint);
    if (!io) process.stdout.removeListener('error', onStdoutError);
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
