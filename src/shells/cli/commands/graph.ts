// `egress-lab graph`: the topology of a lab file or a running lab, as SVG, PNG (through a
// Debian tool, graph/png.ts) or a containerlab-style description.
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { parseCommandArgs } from '../parse-args.js';
import { readSources } from '../sources.js';
import { withService } from '../service.js';

const { usage } = SPECS.graph;
const FORMATS = ['svg', 'png', 'clab'] as const;
type Format = (typeof FORMATS)[number];

export const graphCommand: Command = {
  ...SPECS.graph,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        name: { type: 'string' },
        output: { type: 'string', short: 'o' },
        write: { type: 'string', short: 'w' },
      },
      usage,
    );
    const format = (values.output ?? 'svg') as Format;
    if (!FORMATS.includes(format))
      throw new UsageError(
        `-o must be one of ${FORMATS.join(', ')}, got '${format}'\nusage: ${usage}`,
      );
    if (positionals.length > 1) throw new UsageError(`graph takes one lab FILE\nusage: ${usage}`);
    if (positionals.length && values.name)
      throw new UsageError(`give either a FILE or --name LAB\nusage: ${usage}`);
    const plan = positionals.length
      ? (await import('../../../service/offline.js')).planSources(
          await readSources(io, positionals),
        )
      : await withService(async (s) => {
          const { planOf } = await import('../../../service/lab-record.js');
          return planOf(await s.record(values.name));
        });
    const { topologySvg } = await import('../graph/svg.js');
    let data: string | Buffer;
    if (format === 'clab') data = (await import('../graph/clab.js')).clabTopology(plan);
    else if (format === 'png')
      data = await (await import('../graph/png.js')).svgToPng(topologySvg(plan));
    else data = topologySvg(plan);
    if (values.write && values.write !== '-') {
      await io.writeFile(values.write, data);
      io.err(`wrote ${values.write}\n`);
    } else if (typeof data === 'string') io.out(data);
    else if (io.outBytes) io.outBytes(data);
    else throw new UsageError('PNG is binary: write it to a file with -w FILE');
    return EXIT_OK;
  },
};
