// `egress-lab diff`: a customer's node dump against what Calico should program on that node
// for the lab's resources. Exit 1 when a finding is an error (the node differs from Calico
// in a way that changes packets), as `check` does for a failed expectation.
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { readSources } from '../sources.js';
import { withService } from '../service.js';

const { usage } = SPECS.diff;

export const diffCommand: Command = {
  ...SPECS.diff,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      { node: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    const labFiles = values.name === undefined ? positionals.slice(0, 1) : [];
    const dumpFiles = values.name === undefined ? positionals.slice(1) : positionals;
    if (!values.node || dumpFiles.length === 0)
      throw new UsageError(
        `diff needs the lab (FILE or --name LAB), --node NODE and at least one DUMP\nusage: ${usage}`,
      );
    const { diffSources, formatNodeDiff } = await import('../../../service/diag/node-diff.js');
    const sources = labFiles.length
      ? await readSources(io, labFiles)
      : [await withService((s) => s.source(values.name!))];
    const dumps = await readSources(io, dumpFiles);
    const result = diffSources(sources, values.node, dumps);
    if (values.json) printJson(io, result);
    else io.out(formatNodeDiff(result));
    return result.findings.some((f) => f.severity === 'error') ? 1 : EXIT_OK;
  },
};
