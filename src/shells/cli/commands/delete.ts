import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { parseCommandArgs } from '../parse-args.js';
import { makeChange, printChange } from './change.js';

const { usage } = SPECS.delete;

export const deleteCommand: Command = {
  ...SPECS.delete,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      { name: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    if (positionals.length !== 1)
      throw new UsageError(`delete ippool needs exactly one pool NAME\nusage: ${usage}`);
    // No delete call in the service's transport-neutral API: always this process's own service.
    const r = await makeChange(values.name, false, undefined, (s) =>
      s.deletePool(values.name, positionals[0]!),
    );
    printChange(io, r, values.json);
    return EXIT_OK;
  },
};
