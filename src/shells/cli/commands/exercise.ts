// `egress-lab exercise show|check|reset` (issue 18): a lab's exercise for graders and CI. `show`
// reads a file (no engine) or a running lab; `check` proves a step on the wire and exits 1 when
// it fails; `reset` brings the running lab back to the step's checkpoint as one change.
import { loadLab } from '../../../core/lab-file/index.js';
import { LabInputError } from '../../../core/errors.js';
import { checkText } from '../../../service/exercise.js';
import type { ExerciseView } from '../../../service/api.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_INVALID, EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs, requireInt } from '../parse-args.js';
import { withService } from '../service.js';
import { readSources } from '../sources.js';
import { formatExercise, formatExerciseCheck } from '../format-exercise.js';

function stepArg(value: string | undefined, usage: string): number {
  const n = requireInt(value, '--step', usage, 1);
  if (n === undefined)
    throw new UsageError(`--step N is needed (steps count from 1)\nusage: ${usage}`);
  return n - 1;
}

export const exerciseShowCommand: Command = {
  ...SPECS.exerciseShow,
  async run({ io, args }) {
    const { usage } = SPECS.exerciseShow;
    const { values, positionals } = parseCommandArgs(
      args,
      { name: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    if (positionals.length > 1 || (positionals.length && values.name))
      throw new UsageError(`give one FILE or --name LAB\nusage: ${usage}`);
    let view: Pick<ExerciseView, 'lab' | 'title' | 'steps'>;
    if (positionals.length) {
      const lab = loadLab(await readSources(io, positionals));
      if (!lab.exercise)
        throw new LabInputError([
          { kind: 'Lab', name: lab.name, message: 'this lab file has no exercise (spec.exercise)' },
        ]);
      view = {
        lab: lab.name,
        title: lab.exercise.title,
        steps: lab.exercise.steps.map((s, index) => ({
          index,
          title: s.title,
          instruction: s.instruction,
          hints: s.hints,
          checkpoint: s.checkpoint.map((c) => `${c.ippool}: ${JSON.stringify(c.patch)}`),
          check: s.check.map(checkText),
        })),
      };
    } else {
      view = await withService(async (s) => s.exercises.view(values.name ?? (await s.onlyLab())));
    }
    if (values.json) printJson(io, view);
    else io.out(formatExercise(view));
    return EXIT_OK;
  },
};

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
    const { result, title } = await withService(async (s) => {
      const lab = values.name ?? (await s.onlyLab());
      const view = await s.exercises.view(lab);
      const result = await s.exercises.check(lab, step, (line) => io.err(`${line}\n`));
      return { result, title: view.steps[step]?.title ?? '' };
    });
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
    const result = await withService(async (s) =>
      s.exercises.reset(values.name ?? (await s.onlyLab()), step),
    );
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
