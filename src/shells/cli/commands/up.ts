import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { readSources } from '../sources.js';
import { withService } from '../service.js';
import { formatStatus } from '../format-status.js';
import { progress } from '../progress.js';
import { readBundleFile } from './bundle-file.js';
import type { CliIO } from '../io.js';

/** The files, or one bundle larger than a lab file may be (captures inside). */
async function readUpSources(io: CliIO, paths: string[]) {
  const big = paths.length === 1 ? await readBundleFile(paths[0]!) : undefined;
  return big ? [big] : readSources(io, paths);
}

const { usage } = SPECS.up;

export const upCommand: Command = {
  ...SPECS.up,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      { name: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    if (positionals.length === 0) throw new UsageError(`up needs a lab FILE\nusage: ${usage}`);
    const sources = await readUpSources(io, positionals);
    const started = Date.now();
    const shown = progress(io, started);
    const status = await withService((s) =>
      s.up(sources, {
        ...(values.name ? { name: values.name } : {}),
        onProgress: (step, detail) => shown.step(step, detail),
      }),
    ).finally(() => shown.end());
    if (values.json) printJson(io, status);
    else
      io.out(
        `lab ${status.name} is ready (${((Date.now() - started) / 1000).toFixed(1)}s)\n` +
          formatStatus(status),
      );
    return EXIT_OK;
  },
};
