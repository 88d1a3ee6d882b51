import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { withService } from '../service.js';
import { progress } from '../progress.js';

const { usage } = SPECS.down;

export const downCommand: Command = {
  ...SPECS.down,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      { name: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' } },
      usage,
    );
    if (positionals.length)
      throw new UsageError(`down takes no FILE; use --name LAB\nusage: ${usage}`);
    if (values.all && values.name)
      throw new UsageError(`give --name or --all, not both\nusage: ${usage}`);
    const shown = progress(io);
    const removed = await withService(async (s) => {
      shown.step('looking for labs');
      const running = await (await s.runtime()).listLabs();
      const say = (labs: typeof running): void =>
        shown.step(
          `removing ${labs.map((l) => `${l.name} (${l.containers} container${l.containers === 1 ? '' : 's'})`).join(', ') || 'nothing'}`,
        );
      if (values.all) {
        say(running);
        return s.down({ all: true });
      }
      const labs = running.map((l) => l.name);
      const name = values.name ?? (labs.length === 1 ? labs[0]! : undefined);
      if (name === undefined) {
        if (labs.length === 0) return 0;
        throw new UsageError(
          `several labs run (${labs.join(', ')}): say which with --name, or --all`,
        );
      }
      const mine = running.filter((l) => l.name === name);
      if (mine.length) say(mine);
      else shown.step(`removing ${name} (no containers found)`);
      return s.down(name);
    }).finally(() => shown.end());
    if (values.json) printJson(io, { removed });
    else io.out(`removed ${removed} container${removed === 1 ? '' : 's'}\n`);
    return EXIT_OK;
  },
};
