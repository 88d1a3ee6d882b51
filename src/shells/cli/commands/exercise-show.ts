// `egress-lab exercise show` (issue 18): a lab's exercise, from a file (no engine) or a running lab.
import { loadLab } from '../../../core/lab-file/index.js';
import { LabInputError } from '../../../core/errors.js';
import { checkText } from '../../../service/exercise.js';
import type { ExerciseView } from '../../../service/api.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { withService } from '../service.js';
import { readSources } from '../sources.js';
import { formatExercise } from '../format-exercise.js';

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
