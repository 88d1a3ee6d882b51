// `egress-lab workshop down` (issue 18): removes every lab of a workshop.
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { withService } from '../service.js';
import { workshopLabs } from './workshop-labs.js';

export const workshopDownCommand: Command = {
  ...SPECS.workshopDown,
  async run({ io, args }) {
    const { usage } = SPECS.workshopDown;
    const { values, positionals } = parseCommandArgs(
      args,
      { prefix: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    if (positionals.length || !values.prefix)
      throw new UsageError(`workshop down needs --prefix P\nusage: ${usage}`);
    const prefix = values.prefix;
    const removed = await withService(async (s) => {
      const labs = await workshopLabs(s, prefix);
      let containers = 0;
      for (const lab of labs) containers += await s.down(lab);
      return { labs, containers };
    });
    if (values.json) printJson(io, removed);
    else
      io.out(
        `removed ${removed.labs.length} labs (${removed.containers} containers)${removed.labs.length ? `: ${removed.labs.join(', ')}` : ''}\n`,
      );
    return EXIT_OK;
  },
};
