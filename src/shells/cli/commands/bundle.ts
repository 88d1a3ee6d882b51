// `egress-lab bundle`: the running lab in one file to hand back (core/diag/bundle.ts);
// `egress-lab up BUNDLE` brings the same lab back.
import { readFile } from 'node:fs/promises';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { pathTaken } from '../files.js';
import { parseCommandArgs } from '../parse-args.js';
import { readSources } from '../sources.js';
import { withService } from '../service.js';
import { cliVersion } from '../version.js';

const { usage } = SPECS.bundle;

/** "NAME=FILE" of --pcap and --dump. */
function pairs(values: string[] | undefined, flag: string): { name: string; file: string }[] {
  return (values ?? []).map((v) => {
    const i = v.indexOf('=');
    if (i <= 0 || i === v.length - 1)
      throw new UsageError(`--${flag} takes NAME=FILE, got '${v}'\nusage: ${usage}`);
    return { name: v.slice(0, i), file: v.slice(i + 1) };
  });
}

export const bundleCommand: Command = {
  ...SPECS.bundle,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        name: { type: 'string' },
        output: { type: 'string', short: 'o' },
        check: { type: 'boolean' },
        pcap: { type: 'string', multiple: true },
        dump: { type: 'string', multiple: true },
        force: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length) throw new UsageError(`bundle takes no FILE\nusage: ${usage}`);
    const pcaps = await Promise.all(
      pairs(values.pcap, 'pcap').map(async (p) => ({
        container: p.name,
        file: p.file,
        data: await readFile(p.file),
      })),
    );
    const byNode = new Map<string, string[]>();
    for (const d of pairs(values.dump, 'dump'))
      byNode.set(d.name, [...(byNode.get(d.name) ?? []), d.file]);
    const dumps = await Promise.all(
      [...byNode].map(async ([node, files]) => ({ node, files: await readSources(io, files) })),
    );
    const bundle = await withService(async (s) =>
      s.bundle(values.name, {
        ...(values.check ? { check: true } : {}),
        pcaps,
        dumps,
        writer: cliVersion(),
      }),
    );
    const out = values.output ?? `${bundle.lab}.bundle.json`;
    if (out !== '-' && !values.force && (await pathTaken(out)))
      throw new UsageError(`${out} already exists (--force writes over it)`);
    const text = `${JSON.stringify(bundle, null, 2)}\n`;
    if (out === '-') io.out(text);
    else await io.writeFile(out, text);
    const nodes = Object.values(bundle.containers).filter((c) => c.role === 'node').length;
    io.err(
      `bundled lab ${bundle.lab} (${Object.keys(bundle.containers).length} containers, ${nodes} nodes, ` +
        `${bundle.captures.length} captures, ${bundle.dumps.length} node dumps${bundle.check ? ', check report' : ''}) ` +
        `to ${out === '-' ? 'standard output' : out}; \`egress-lab up ${out === '-' ? 'FILE' : out}\` brings it back\n`,
    );
    return EXIT_OK;
  },
};
