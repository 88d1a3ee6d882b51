import { LabInputError } from '../../../core/errors.js';
import type { ChangeResult } from '../../../service/api.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import type { CliIO } from '../io.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { withService } from '../service.js';

const { usage } = SPECS.patch;

/** Prints a change's outcome: calicoctl's message on stdout, timing and warnings on stderr. */
export function printChange(
  io: CliIO,
  r: ChangeResult,
  json: boolean | undefined,
  dryRun = false,
): void {
  if (json) {
    printJson(io, r);
    return;
  }
  io.out(`${r.message}${dryRun ? ' (dry run: nothing applied)' : ''}\n`);
  const touched = r.diffs.map((d) => d.node);
  if (!dryRun)
    io.err(
      `applied in ${r.appliedMs} ms${touched.length ? ` (rules changed on ${touched.join(', ')})` : ' (no rule changed)'}\n`,
    );
  for (const w of r.warnings) io.err(`warning: ${w}\n`);
}

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
    const r = await withService((s) => s.patchPool(values.name, positionals[0]!, patch, dryRun));
    printChange(io, r, values.json, dryRun);
    return EXIT_OK;
  },
};
