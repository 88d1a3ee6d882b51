import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { parseCommandArgs } from '../parse-args.js';
import { withService } from '../service.js';

const { usage } = SPECS.down;

export const downCommand: Command = {
  ...SPECS.down,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      { name: { type: 'string' }, all: { type: 'boolean' } },
      usage,
    );
    if (positionals.length)
      throw new UsageError(`down takes no FILE; use --name LAB\nusage: ${usage}`);
    if (values.all && values.name)
      throw new UsageError(`give --name or --all, not both\nusage: ${usage}`);
    const removed = await withService(async (s) => {
      if (values.all) return s.down({ all: true });
      const labs = (await (await s.runtime()).listLabs()).map((l) => l.name);
      const name = values.name ?? (labs.length === 1 ? labs[0]! : undefined);
      if (name === undefined) {
        if (labs.length === 0) return 0;
        throw new UsageError(
          `several labs run (${labs.join(', ')}): say which with --name, or --all`,
        );
      }
      return s.down(name);
    });
    io.out(`removed ${removed} container${removed === 1 ? '' : 's'}\n`);
    return EXIT_OK;
  },
};
