import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK } from '../errors.js';
import { parseCommandArgs } from '../parse-args.js';
import { withService } from '../service.js';

const { usage } = SPECS.setup;

export const setupCommand: Command = {
  ...SPECS.setup,
  async run({ io, args }) {
    parseCommandArgs(args, {}, usage);
    const started = Date.now();
    const { image, engine } = await withService((s) =>
      s.setup((step, detail) =>
        io.err(
          `[${((Date.now() - started) / 1000).toFixed(1)}s] ${step}${detail ? `: ${detail}` : ''}\n`,
        ),
      ),
    );
    // Which engine the labs will run on: the one a desktop user has started, found for them.
    io.out(`engine ready: ${engine}; lab image ${image}\n`);
    return EXIT_OK;
  },
};
