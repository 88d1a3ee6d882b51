import { join } from 'node:path';
import { startServer } from '../../server/server.js';
import { LabService } from '../../../service/lab-service.js';
import { packageRoot } from '../../../service/templates.js';
import type { Command } from '../command.js';
import { EXIT_OK } from '../errors.js';
import { parseCommandArgs, requireInt } from '../parse-args.js';

const usage = 'egress-lab serve [--port P]';

export const serveCommand: Command = {
  words: ['serve'],
  usage,
  summary: 'browser mode: the app on 127.0.0.1 with a random token in the URL (Ctrl-C stops it)',
  async run({ io, args }) {
    const { values } = parseCommandArgs(args, { port: { type: 'string' } }, usage);
    const port = requireInt(values.port, '--port', usage) ?? 0;
    const service = new LabService();
    const server = await startServer({
      service,
      port,
      rendererDir: join(packageRoot(), 'renderer', 'dist'),
    });
    io.out(
      `Egress Lab is running in browser mode. Open:\n\n  ${server.url}\n\n(Ctrl-C stops it; labs keep running until \`egress-lab down\`.)\n`,
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
