import { LabInputError } from '../../../core/errors.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { parseCommandArgs } from '../parse-args.js';
import { makeChange, printChange } from './change.js';

const { usage } = SPECS.patch;

export const patchCommand: Command = {
  ...SPECS.patch,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        patch: { type: 'string', short: 'p' },
        name: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length !== 1)
      throw new UsageError(`patch ippool needs exactly one pool NAME\nusage: ${usage}`);
    if (values.patch === undefined)
      throw new UsageError(`patch ippool needs --patch JSON\nusage: ${usage}`);
    let patch: unknown;
    try {
      patch = JSON.parse(values.patch);
    } catch (e) {
      throw new LabInputError([
        {
          kind: 'IPPool',
          name: positionals[0]!,
          message: `--patch is not valid JSON: ${(e as Error).message}`,
        },
      ]);
    }
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw new LabInputError([
        {
          kind: 'IPPool',
          name: positionals[0]!,
          message: '--patch must be a JSON object, e.g. {"spec":{"natOutgoing":false}}',
        },
      ]);
    }
    const dryRun = values['dry-run'] ?? false;
    const pool = positionals[0]!;
    const r = await makeChange(
      values.name,
      dryRun,
      (call, lab) =>
        call('pool:patch', { lab, pool, patch: patch as Record<string, unknown>, dryRun }),
      (s) => s.patchPool(values.name, pool, patch, dryRun),
    );
    printChange(io, r, values.json, dryRun);
    return EXIT_OK;
  },
};
