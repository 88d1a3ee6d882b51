import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { UsageError } from '../errors.js';
import { parseCommandArgs, splitDoubleDash } from '../parse-args.js';
import { withService } from '../service.js';

const { usage } = SPECS.exec;

export const execCommand: Command = {
  ...SPECS.exec,
  async run({ io, args }) {
    const { before, after } = splitDoubleDash(args);
    const { values, positionals } = parseCommandArgs(before, { name: { type: 'string' } }, usage);
    if (positionals.length !== 1 || after.length === 0) {
      throw new UsageError(`exec needs a container NAME and a command after --\nusage: ${usage}`);
    }
    return withService(async (s) => {
      const lab = values.name ?? (await s.onlyLab());
      const r = await (await s.runtime()).exec(lab, positionals[0]!, after);
      io.out(r.stdout);
      io.err(r.stderr);
      return r.exitCode;
    });
  },
};
