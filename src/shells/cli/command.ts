import type { CliIO } from './io.js';

export interface CommandContext {
  io: CliIO;
  /** Arguments after the command word(s). */
  args: string[];
  /** Every command's spec (for `completion`, which would otherwise import the table that loads it). */
  specs?: readonly CommandSpec[];
}

/** One option of a command, as `help CMD` and the completion scripts show it. */
export interface FlagSpec {
  /** The long name, without `--`. */
  name: string;
  /** A one-letter alias, without `-`. */
  short?: string;
  /** The value's placeholder, for an option that takes one (absent: a boolean switch). */
  value?: string;
  /** The values it accepts, when they are a fixed few (completed by the shells). */
  choices?: readonly string[];
  /** Its value is a path: the shells complete file names. */
  file?: boolean;
  help: string;
}

/** What help shows of a command: plain data, known without loading the command's code. */
export interface CommandSpec {
  /** Words that select the command, e.g. ["get", "ippool"]. */
  words: readonly string[];
  usage: string;
  summary: string;
  /** Every option the command takes. */
  flags: readonly FlagSpec[];
  /** Words the shells complete for its positional arguments (`get`: the kinds). */
  completeWords?: readonly string[];
  /** Other words that select it too (`inspect` for `status`), shown in its help. */
  aliases?: readonly (readonly string[])[];
}

export interface Command extends CommandSpec {
  run(ctx: CommandContext): Promise<number>;
}

/** A command in the table: its spec, and its module imported when it runs. */
export interface CommandEntry extends CommandSpec {
  load(): Promise<Command>;
}
