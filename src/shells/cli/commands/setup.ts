import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK } from '../errors.js';
import { parseCommandArgs } from '../parse-args.js';
import { withService } from '../service.js';
import { progress } from '../progress.js';

const { usage } = SPECS.setup;

export const setupCommand: Command = {
  ...SPECS.setup,
  async run({ io, args }) {
    parseCommandArgs(args, {}, usage);
    // One live line on a terminal, a plain line per step when piped (as up and down).
    const shown = progress(io);
    const { image, engine } = await withService((s) =>
      s.setup((step, detail) => shown.step(step, detail)),
    ).finally(() => shown.end());
    // Which engine the labs will run on: the one a desktop user has started, found for them.
    io.out(`engine ready: ${engine}; lab image ${image}\n`);
    return EXIT_OK;
  },
};
