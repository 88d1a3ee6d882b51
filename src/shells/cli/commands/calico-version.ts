import type { Command } from '../command.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { parseCommandArgs } from '../parse-args.js';
import { withService } from '../service.js';
import { printChange } from './change.js';
import { SPECS } from './specs.js';

const { usage } = SPECS.calicoVersion;

/** A running lab's spec.calicoVersion changed like any other change: --dry-run previews the diff. */
export const calicoVersionCommand: Command = {
  ...SPECS.calicoVersion,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      { name: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
      usage,
    );
    if (positionals.length !== 1)
      throw new UsageError(`set calico-version needs one VERSION\nusage: ${usage}`);
    const dryRun = values['dry-run'] ?? false;
    const r = await withService((s) => s.setCalicoVersion(values.name, positionals[0]!, dryRun));
    printChange(io, r, values.json, dryRun);
    return EXIT_OK;
  },
};
