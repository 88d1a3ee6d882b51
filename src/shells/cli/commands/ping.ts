import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_INVALID, EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs, requireInt } from '../parse-args.js';
import { withService } from '../service.js';

const { usage } = SPECS.ping;

export const pingCommand: Command = {
  ...SPECS.ping,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        name: { type: 'string' },
        count: { type: 'string', short: 'c' },
        interval: { type: 'string' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length !== 2) throw new UsageError(`ping needs FROM and TO\nusage: ${usage}`);
    const count = requireInt(values.count, '--count', usage, 1) ?? 3;
    const intervalMs = requireInt(values.interval, '--interval', usage, 20) ?? 200;
    const [from, to] = positionals as [string, string];
    const r = await withService(async (s) =>
      s.live.ping(values.name ?? (await s.onlyLab()), from, to, {
        count,
        intervalMs,
        signal: io.signal,
        ...(values.json ? {} : { onLine: (l: string) => io.out(`${l}\n`) }),
      }),
    );
    if (values.json) printJson(io, { from, to, ...r });
    return r.received > 0 ? EXIT_OK : EXIT_INVALID;
  },
};
