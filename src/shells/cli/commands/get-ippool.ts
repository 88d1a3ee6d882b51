import { formatIPPools } from '../../../core/calico/format.js';
import { poolsFromSources } from '../../../service/offline.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { parseCommandArgs } from '../parse-args.js';
import { readSources } from '../sources.js';
import { withService } from '../service.js';

const { usage } = SPECS.getIppool;
// `name`: kubectl's kind/name listing, as `get` prints it for the other kinds.
const OUTPUTS = ['wide', 'yaml', 'json', 'name'] as const;

export const getIppoolCommand: Command = {
  ...SPECS.getIppool,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        file: { type: 'string', short: 'f' },
        output: { type: 'string', short: 'o' },
        name: { type: 'string' },
      },
      usage,
    );
    const output = values.output as (typeof OUTPUTS)[number] | undefined;
    if (output !== undefined && !OUTPUTS.includes(output)) {
      throw new UsageError(
        `-o must be one of ${OUTPUTS.join(', ')}, got '${output}'\nusage: ${usage}`,
      );
    }
    if (positionals.length > 1) throw new UsageError(`too many arguments\nusage: ${usage}`);
    if (values.file && values.name)
      throw new UsageError(`give either -f FILE or --name LAB\nusage: ${usage}`);
    let pools = values.file
      ? poolsFromSources(await readSources(io, [values.file]))
      : await withService((s) => s.pools(values.name));
    const wanted = positionals[0];
    if (wanted !== undefined) {
      pools = pools.filter((p) => p.name === wanted);
      if (pools.length === 0) {
        io.err(`resource does not exist: IPPool(${wanted})\n`);
        return 1;
      }
    }
    if (output === 'name') io.out(pools.map((p) => `ippool/${p.name}\n`).join(''));
    else io.out(formatIPPools(pools, output ?? 'table'));
    return EXIT_OK;
  },
};
