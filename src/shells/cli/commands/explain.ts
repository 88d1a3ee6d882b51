import { explainSources } from '../../../service/offline.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { readSources } from '../sources.js';
import { formatExplanation } from '../format-explanation.js';

const { usage } = SPECS.explain;

export const explainCommand: Command = {
  ...SPECS.explain,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        from: { type: 'string' },
        to: { type: 'string' },
        ipv6: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length !== 1 || !values.from || !values.to) {
      throw new UsageError(`explain needs FILE, --from POD and --to ADDRESS\nusage: ${usage}`);
    }
    const result = explainSources(
      await readSources(io, positionals),
      values.from,
      values.to,
      values.ipv6 ? { ipVersion: 6 } : {},
    );
    if (values.json) printJson(io, result);
    else io.out(formatExplanation(result));
    return EXIT_OK;
  },
};
