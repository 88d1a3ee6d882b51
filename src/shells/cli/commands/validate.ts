import { LabInputError, formatProblem } from '../../../core/errors.js';
import { validateSources } from '../../../service/offline.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_INVALID, EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { readSources } from '../sources.js';

const { usage } = SPECS.validate;

export const validateCommand: Command = {
  ...SPECS.validate,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, usage);
    if (positionals.length === 0)
      throw new UsageError(`validate needs at least one FILE\nusage: ${usage}`);
    let result;
    try {
      result = validateSources(await readSources(io, positionals));
    } catch (e) {
      if (!(e instanceof LabInputError) || !values.json) throw e;
      printJson(io, {
        ok: false,
        problems: e.problems.map((p) => ({ ...p, text: formatProblem(p) })),
      });
      return EXIT_INVALID;
    }
    const warnings = result.warnings.map((p) => ({ ...p, text: formatProblem(p) }));
    if (values.json) printJson(io, { ok: true, problems: [], warnings, summary: result.summary });
    else {
      // Like a compiler: FILE:LINE:COL: warning: …, then the verdict.
      io.out(warnings.map((w) => w.text + '\n').join(''));
      io.out(result.summary.map((l) => l + '\n').join(''));
    }
    return EXIT_OK;
  },
};
