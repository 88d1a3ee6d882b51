import type { CliIO } from './io.js';

export interface CommandContext {
  io: CliIO;
  /** Arguments after the command word(s). */
  args: string[];
}

/** What help shows of a command: plain data, known without loading the command's code. */
export interface CommandSpec {
  /** Words that select the command, e.g. ["get", "ippool"]. */
  words: readonly string[];
  usage: string;
  summary: string;
}

export interface Command extends CommandSpec {
  run(ctx: CommandContext): Promise<number>;
}

/** A command in the table: its spec, and its module imported when it runs. */
export interface CommandEntry extends CommandSpec {
  load(): Promise<Command>;
}
