// `egress-lab workshop serve` (issue 18): browser mode with a token per lab (a student's page
// sees only that lab) and the instructor's URL (every lab, its step and last check, live).
import { join } from 'node:path';
import { LabService } from '../../../service/lab-service.js';
import { packageRoot } from '../../../service/templates.js';
import { LabInputError } from '../../../core/errors.js';
import { startServer } from '../../server/server.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { parseCommandArgs, requireInt } from '../parse-args.js';
import { announceServer } from '../server-registry.js';
import { workshopLabs } from './workshop-labs.js';

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
    // As `serve`: CLI changes to these labs (`patch ippool --name ws-3`) go through this process.
    const unannounce = await announceServer(server).catch((e: Error) => {
      io.err(`note: CLI changes will not go through this server: ${e.message}\n`);
      return undefined;
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
    await unannounce?.();
    await server.close();
    await service.close();
    return EXIT_OK;
  },
};
