import { formatConntrack } from '../../../service/live/format.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { withService } from '../service.js';

const { usage } = SPECS.conntrack;

export const conntrackCommand: Command = {
  ...SPECS.conntrack,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        name: { type: 'string' },
        flush: { type: 'boolean' },
        pod: { type: 'string' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length !== 1)
      throw new UsageError(`conntrack needs exactly one NODE\nusage: ${usage}`);
    if (values.pod !== undefined && !values.flush)
      throw new UsageError(`--pod goes with --flush\nusage: ${usage}`);
    const node = positionals[0]!;
    return withService(async (s) => {
      const lab = values.name ?? (await s.onlyLab());
      if (values.flush) {
        const r = await s.live.flushConntrack(lab, node, values.pod);
        if (values.json) printJson(io, r);
        else
          io.out(
            `deleted ${r.deleted} conntrack entr${r.deleted === 1 ? 'y' : 'ies'} on ${node}${values.pod ? ` from pod ${values.pod}` : ''}\n`,
          );
        return EXIT_OK;
      }
      const entries = await s.live.conntrack(lab, node);
      if (values.json) printJson(io, entries);
      else io.out(formatConntrack(entries));
      return EXIT_OK;
    });
  },
};
