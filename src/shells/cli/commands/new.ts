// `egress-lab new`: a copy of a template to edit (the CLI side of the app's gallery).
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_INVALID, EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { withService } from '../service.js';
import { pathTaken } from '../files.js';
import { shellQuote } from '../quote.js';
import { withSchemaComment } from '../../../core/lab-file/schema-comment.js';
import { installedSchemaUrl } from '../schema-ref.js';

const { usage } = SPECS.new;

export const newCommand: Command = {
  ...SPECS.new,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      { list: { type: 'boolean' }, force: { type: 'boolean' }, json: { type: 'boolean' } },
      usage,
    );
    if (values.list) {
      if (positionals.length)
        throw new UsageError(`--list takes no TEMPLATE or FILE\nusage: ${usage}`);
      const templates = await withService((s) => s.templates());
      if (values.json) {
        printJson(io, templates);
        return EXIT_OK;
      }
      const width = Math.max(8, ...templates.map((t) => t.id.length));
      io.out(`${'TEMPLATE'.padEnd(width)}  DESCRIPTION\n`);
      for (const t of templates) io.out(`${t.id.padEnd(width)}  ${t.description}\n`);
      return EXIT_OK;
    }
    if (values.json) throw new UsageError(`--json goes with --list\nusage: ${usage}`);
    if (positionals.length < 1 || positionals.length > 2)
      throw new UsageError(`new needs TEMPLATE and at most one FILE\nusage: ${usage}`);
    const id = positionals[0]!;
    const file = positionals[1] ?? `${id}.yaml`;
    const source = await withService(async (s) => {
      try {
        return await s.template(id);
      } catch (e) {
        const ids = (await s.templates()).map((t) => t.id);
        throw new UsageError(`${(e as Error).message}; templates: ${ids.join(', ')}`);
      }
    });
    if (!values.force && (await pathTaken(file))) {
      io.err(`egress-lab: ${file} already exists; use --force to overwrite it\n`);
      return EXIT_INVALID;
    }
    // The template's schema line is relative to lab-templates/; the copy points at the package's.
    await io.writeFile(file, withSchemaComment(source.text, installedSchemaUrl()));
    io.out(`wrote ${file} from template ${id}\nnext: egress-lab up ${shellQuote(file)}\n`);
    return EXIT_OK;
  },
};
