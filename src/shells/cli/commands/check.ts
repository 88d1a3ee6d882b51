import { formatCheck } from '../../../service/live/format.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_INVALID, EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { withService } from '../service.js';
import { readSources } from '../sources.js';

const { usage } = SPECS.check;

export const checkCommand: Command = {
  ...SPECS.check,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      { name: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    if (positionals.length !== 1)
      throw new UsageError(`check needs exactly one FILE\nusage: ${usage}`);
    const sources = await readSources(io, positionals);
    const report = await withService((s) =>
      s.live.check(sources, {
        ...(values.name ? { name: values.name } : {}),
        onProgress: (line) => io.err(`${line}\n`),
      }),
    );
    if (values.json) printJson(io, report);
    else io.out(formatCheck(report));
    return report.ok ? EXIT_OK : EXIT_INVALID;
  },
};
