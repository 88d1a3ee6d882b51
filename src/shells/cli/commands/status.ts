import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { withService } from '../service.js';
import { formatStatus } from '../format-status.js';

const { usage } = SPECS.status;

export const statusCommand: Command = {
  ...SPECS.status,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      { name: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    if (positionals.length)
      throw new UsageError(`status takes no positional argument\nusage: ${usage}`);
    const labs = await withService((s) => s.status(values.name));
    if (values.json) {
      printJson(io, labs);
      return EXIT_OK;
    }
    if (labs.length === 0)
      io.out(values.name ? `no lab named ${values.name}\n` : 'no lab is running\n');
    for (const lab of labs) io.out(formatStatus(lab) + '\n');
    return EXIT_OK;
  },
};
