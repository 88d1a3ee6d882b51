import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { parseCommandArgs } from '../parse-args.js';
import { SHELLS, completionScript, type Shell } from '../completion/scripts.js';
import { commands } from './index.js';

const { usage } = SPECS.completion;

export const completionCommand: Command = {
  ...SPECS.completion,
  async run({ io, args }) {
    const { positionals } = parseCommandArgs(args, {}, usage);
    const shell = positionals[0] as Shell | undefined;
    if (positionals.length !== 1 || !shell || !SHELLS.includes(shell))
      throw new UsageError(`completion needs one of ${SHELLS.join(', ')}\nusage: ${usage}`);
    io.out(completionScript(shell, commands));
    return EXIT_OK;
  },
};
