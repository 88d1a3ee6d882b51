// `egress-lab workshop up|serve|down` (issue 18): N copies of a lab, one per student, then
// browser mode with a token per lab (a student's page sees only that lab) and the instructor's
// URL (every lab, its current step and last check, live).
import { join } from 'node:path';
import { LabService } from '../../../service/lab-service.js';
import { packageRoot } from '../../../service/templates.js';
import { planWorkshop, startWorkshop } from '../../../service/workshop.js';
import { LabInputError } from '../../../core/errors.js';
import { startServer } from '../../server/server.js';
import type { Command } from '../command.js';
import type { CliIO } from '../io.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs, requireInt } from '../parse-args.js';
import { withService } from '../service.js';
import { readSources, type Source } from '../sources.js';

/** A template id (`outgoing-nat`) or a file path. */
async function workshopSources(io: CliIO, service: LabService, what: string): Promise<Source[]> {
  if (/^[a-z0-9-]+$/.test(what)) {
    const ids = (await service.templates()).map((t) => t.id);
    if (ids.includes(what)) return [await service.template(what)];
  }
  return readSources(io, [what]);
}

/** The running labs of a workshop: `<prefix>-<number>`, in number order. */
async function workshopLabs(service: LabService, prefix: string): Promise<string[]> {
  const re = new RegExp(`^${prefix.replace(/[^a-z0-9-]/g, '')}-\\d+$`);
  const labs = (await (await service.runtime()).listLabs()).map((l) => l.name);
  return labs.filter((n) => re.test(n)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

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

export const workshopServeCommand: Command = {
  ...SPECS.workshopServe,
  async run({ io, args }) {
    const { usage } = SPECS.workshopServe;
    const { values, positionals } = parseCommandArgs(
      args,
      { prefix: { type: 'string' }, port: { type: 'string' } },
      usage,
    );
    if (positionals.length || !values.prefix)
      throw new UsageError(`workshop serve needs --prefix P\nusage: ${usage}`);
    const port = requireInt(values.port, '--port', usage) ?? 0;
    const service = new LabService();
    const labs = await workshopLabs(service, values.prefix);
    if (!labs.length) {
      await service.close();
      throw new LabInputError([
        {
          message: `no running lab is named ${values.prefix}-<number>: start them with \`egress-lab workshop up TEMPLATE --students N --prefix ${values.prefix}\``,
        },
      ]);
    }
    const server = await startServer({
      service,
      port,
      rendererDir: join(packageRoot(), 'renderer', 'dist'),
      students: labs.map((lab) => ({ lab })),
    });
    io.out(
      `Workshop in browser mode (${labs.length} labs).\n\nInstructor (every lab, live progress):\n  ${server.url}\n\nStudents (each URL opens that lab only):\n` +
        server.students.map((st) => `  ${st.lab}  ${st.url}\n`).join('') +
        '\n(Ctrl-C stops serving; labs keep running until `egress-lab workshop down`.)\n',
    );
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    await service.close();
    return EXIT_OK;
  },
};

export const workshopDownCommand: Command = {
  ...SPECS.workshopDown,
  async run({ io, args }) {
    const { usage } = SPECS.workshopDown;
    const { values, positionals } = parseCommandArgs(
      args,
      { prefix: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    if (positionals.length || !values.prefix)
      throw new UsageError(`workshop down needs --prefix P\nusage: ${usage}`);
    const prefix = values.prefix;
    const removed = await withService(async (s) => {
      const labs = await workshopLabs(s, prefix);
      let containers = 0;
      for (const lab of labs) containers += await s.down(lab);
      return { labs, containers };
    });
    if (values.json) printJson(io, removed);
    else
      io.out(
        `removed ${removed.labs.length} labs (${removed.containers} containers)${removed.labs.length ? `: ${removed.labs.join(', ')}` : ''}\n`,
      );
    return EXIT_OK;
  },
};
