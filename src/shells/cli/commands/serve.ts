import { join } from 'node:path';
import { startServer } from '../../server/server.js';
import { LabService } from '../../../service/lab-service.js';
import { packageRoot } from '../../../service/templates.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK } from '../errors.js';
import { parseCommandArgs, requireInt } from '../parse-args.js';
import { announceServer } from '../server-registry.js';

const { usage } = SPECS.serve;

export const serveCommand: Command = {
  ...SPECS.serve,
  async run({ io, args }) {
    const { values } = parseCommandArgs(args, { port: { type: 'string' } }, usage);
    const port = requireInt(values.port, '--port', usage) ?? 0;
    const service = new LabService();
    const server = await startServer({
      service,
      port,
      rendererDir: join(packageRoot(), 'renderer', 'dist'),
    });
    // While this runs, CLI changes to a named lab go through it (commands/change.ts): from
    // before the URL is printed on.
    const unannounce = await announceServer(server).catch((e: Error) => {
      io.err(`note: CLI changes will not go through this server: ${e.message}\n`);
      return undefined;
    });
    io.out(
      `Egress Lab is running in browser mode. Open:\n\n  ${server.url}\n\n(Ctrl-C stops it; labs keep running until \`egress-lab down\`.)\n`,
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
