import type { CliIO } from './io.js';

export interface CommandContext {
  io: CliIO;
  /** Arguments after the command word(s). */
  args: string[];
}

export interface Command {
  /** Words that select the command, e.g. ["get", "ippool"]. */
  words: string[];
  usage: string;
  summary: string;
  run(ctx: CommandContext): Promise<number>;
}
