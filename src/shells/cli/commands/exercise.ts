// `egress-lab exercise check|reset` (issue 18), for graders and CI: `check` proves a step on the
// wire and exits 1 when it fails; `reset` brings the running lab back to the step's checkpoint
// as one change.
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_INVALID, EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs, requireInt } from '../parse-args.js';
import { withService } from '../service.js';
import { viaServer } from '../via-server.js';
import { formatExerciseCheck } from '../format-exercise.js';

function stepArg(value: string | undefined, usage: string): number {
  const n = requireInt(value, '--step', usage, 1);
  if (n === undefined)
    throw new UsageError(`--step N is needed (steps count from 1)\nusage: ${usage}`);
  return n - 1;
}

export const exerciseCheckCommand: Command = {
  ...SPECS.exerciseCheck,
  async run({ io, args }) {
    const { usage } = SPECS.exerciseCheck;
    const { values, positionals } = parseCommandArgs(
      args,
      { name: { type: 'string' }, step: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    if (positionals.length) throw new UsageError(`exercise check takes no FILE\nusage: ${usage}`);
    const step = stepArg(values.step, usage);
    // Through a running `serve` or `workshop serve` when the lab is named: the check then
    // counts in that server's progress (the instructor's view), as a student's would.
    const lab = values.name;
    const remote =
      lab === undefined
        ? undefined
        : await viaServer(async (call) => {
            const view = await call('exercise:get', { lab });
            const result = await call('exercise:check', { lab, step });
            return { result, title: view.steps[step]?.title ?? '' };
          });
    const { result, title } =
      remote ??
      (await withService(async (s) => {
        const name = lab ?? (await s.onlyLab());
        const view = await s.exercises.view(name);
        const result = await s.exercises.check(name, step, (line) => io.err(`${line}\n`));
        return { result, title: view.steps[step]?.title ?? '' };
      }));
    if (values.json) printJson(io, result);
    else io.out(formatExerciseCheck(result, title));
    return result.ok ? EXIT_OK : EXIT_INVALID;
  },
};

export const exerciseResetCommand: Command = {
  ...SPECS.exerciseReset,
  async run({ io, args }) {
    const { usage } = SPECS.exerciseReset;
    const { values, positionals } = parseCommandArgs(
      args,
      { name: { type: 'string' }, step: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    if (positionals.length) throw new UsageError(`exercise reset takes no FILE\nusage: ${usage}`);
    const step = stepArg(values.step, usage);
    const started = performance.now();
    const lab = values.name;
    const result =
      (lab === undefined
        ? undefined
        : await viaServer((call) => call('exercise:reset', { lab, step }))) ??
      (await withService(async (s) => s.exercises.reset(lab ?? (await s.onlyLab()), step)));
    if (values.json) printJson(io, result);
    else {
      const ms = Math.round(performance.now() - started);
      const touched = result.diffs.map((d) => d.node);
      io.out(
        `${result.message} in ${ms} ms (${touched.length ? `rules changed on ${touched.join(', ')}` : 'already there: nothing changed'})\n`,
      );
      for (const w of result.warnings) io.err(`warning: ${w}\n`);
    }
    return EXIT_OK;
  },
};
