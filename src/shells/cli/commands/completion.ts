import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { parseCommandArgs } from '../parse-args.js';
import { SHELLS, completionScript, type Shell } from '../completion/scripts.js';

const { usage } = SPECS.completion;

export const completionCommand: Command = {
  ...SPECS.completion,
  async run({ io, args, specs }) {
    const { positionals } = parseCommandArgs(args, {}, usage);
    const shell = positionals[0] as Shell | undefined;
    if (positionals.length !== 1 || !shell || !SHELLS.includes(shell))
      throw new UsageError(`completion needs one of ${SHELLS.join(', ')}\nusage: ${usage}`);
    if (!specs) throw new Error('completion needs the command table');
    io.out(completionScript(shell, specs));
    return EXIT_OK;
  },
};
