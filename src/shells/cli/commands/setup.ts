import type { Command } from '../command.js';
import { EXIT_OK } from '../errors.js';
import { parseCommandArgs } from '../parse-args.js';
import { withService } from '../service.js';

const usage = 'egress-lab setup';

export const setupCommand: Command = {
  words: ['setup'],
  usage,
  summary:
    'find (or, as root on Debian, install and start) a Docker engine and build the lab image',
  async run({ io, args }) {
    parseCommandArgs(args, {}, usage);
    const started = Date.now();
    const { image } = await withService((s) =>
      s.setup((step, detail) =>
        io.err(
          `[${((Date.now() - started) / 1000).toFixed(1)}s] ${step}${detail ? `: ${detail}` : ''}\n`,
        ),
      ),
    );
    io.out(`engine ready, lab image ${image}\n`);
    return EXIT_OK;
  },
};
