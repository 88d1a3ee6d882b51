import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { parseCommandArgs } from '../parse-args.js';
import { readSources } from '../sources.js';
import { makeChange, printChange } from './change.js';

const { usage } = SPECS.apply;

export const applyCommand: Command = {
  ...SPECS.apply,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        file: { type: 'string', short: 'f', multiple: true },
        name: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length)
      throw new UsageError(`unexpected argument '${positionals[0]}'\nusage: ${usage}`);
    const files = values.file ?? [];
    if (!files.length) throw new UsageError(`apply needs -f FILE\nusage: ${usage}`);
    const sources = await readSources(io, files);
    const dryRun = values['dry-run'] ?? false;
    // The service's API takes one file (of at most 2 MB) per apply call: others go through
    // this process.
    const r = await makeChange(
      values.name,
      dryRun,
      sources.length === 1 && sources[0]!.text.length <= 2_000_000
        ? (call, lab) => call('lab:apply', { lab, source: sources[0]!, dryRun })
        : undefined,
      (s) => s.apply(values.name, sources, dryRun),
    );
    printChange(io, r, values.json, dryRun);
    return EXIT_OK;
  },
};
