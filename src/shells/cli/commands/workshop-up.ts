// `egress-lab workshop up` (issue 18): N copies of a lab, one per student, after a capacity
// estimate that refuses too many before anything starts.
import { planWorkshop, startWorkshop } from '../../../service/workshop.js';
import { LabInputError } from '../../../core/errors.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs, requireInt } from '../parse-args.js';
import { withService } from '../service.js';
import { workshopSources } from './workshop-labs.js';

export const workshopUpCommand: Command = {
  ...SPECS.workshopUp,
  async run({ io, args }) {
    const { usage } = SPECS.workshopUp;
    const { values, positionals } = parseCommandArgs(
      args,
      {
        students: { type: 'string' },
        prefix: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length !== 1)
      throw new UsageError(`workshop up needs one TEMPLATE or FILE\nusage: ${usage}`);
    const students = requireInt(values.students, '--students', usage, 1);
    if (students === undefined) throw new UsageError(`--students N is needed\nusage: ${usage}`);
    const started = performance.now();
    return withService(async (s) => {
      const sources = await workshopSources(io, s, positionals[0]!);
      const plan = planWorkshop(sources, {
        students,
        ...(values.prefix ? { prefix: values.prefix } : {}),
      });
      // Refused up front, with the estimate, before any lab starts.
      if (!plan.estimate.ok) throw new LabInputError([{ message: plan.estimate.message }]);
      if (values['dry-run']) {
        if (values.json) printJson(io, plan);
        else io.out(`${plan.estimate.message}\nlabs: ${plan.names.join(', ')}\n`);
        return EXIT_OK;
      }
      io.err(`${plan.estimate.message}\n`);
      const statuses = await startWorkshop(s, sources, plan, (name, ms) =>
        io.err(`lab ${name} is ready (${(ms / 1000).toFixed(1)}s)\n`),
      );
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      if (values.json) printJson(io, { ...plan, seconds: Number(secs), labs: statuses });
      else
        io.out(
          `${statuses.length} labs of ${plan.labName} are ready in ${secs}s: ${plan.names.join(', ')}\n` +
            `serve them: egress-lab workshop serve --prefix ${plan.names[0]!.replace(/-\d+$/, '')}\n`,
        );
      return EXIT_OK;
    });
  },
};
