// `egress-lab import`: a lab file built around a customer's Calico resources (core/import).
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { dnsLabel, importLab } from '../../../core/import/index.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_INVALID, EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { readSources } from '../sources.js';
import { pathTaken } from '../files.js';
import { shellQuote } from '../quote.js';
import { installedSchemaUrl } from '../schema-ref.js';

const { usage } = SPECS.importLab;

export const importCommand: Command = {
  ...SPECS.importLab,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        output: { type: 'string', short: 'o' },
        name: { type: 'string' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
        dest: { type: 'string', multiple: true },
        'max-pods': { type: 'string' },
      },
      usage,
    );
    const maxPods = values['max-pods'] === undefined ? undefined : Number(values['max-pods']);
    if (maxPods !== undefined && !(Number.isInteger(maxPods) && maxPods >= 1))
      throw new UsageError(`--max-pods takes a whole number of at least 1\nusage: ${usage}`);
    if (positionals.length === 0)
      throw new UsageError(`import needs at least one FILE\nusage: ${usage}`);
    const out = values.output;
    const name =
      values.name ?? (out ? dnsLabel(basename(out).replace(/\.ya?ml$/i, ''), 50) : 'imported');
    const result = importLab(await readSources(io, await expandDirectories(positionals)), {
      name,
      schemaRef: installedSchemaUrl(),
      destinations: values.dest ?? [],
      ...(maxPods !== undefined ? { maxPods } : {}),
    });
    const lab = result.lab;
    const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
    const counts = [
      n(lab.nodes.length, 'node'),
      n(lab.pods.length, 'pod'),
      n(lab.hosts.length, 'host'),
      n(lab.expect.length, 'expectation'),
    ].join(', ');
    if (out) {
      if (!values.force) {
        if (await pathTaken(out)) {
          io.err(`egress-lab: ${out} already exists; use --force to overwrite it\n`);
          return EXIT_INVALID;
        }
      }
      await io.writeFile(out, result.text);
    }
    if (values.json) {
      printJson(io, {
        lab: lab.name,
        ...(out ? { file: out } : { text: result.text }),
        nodes: lab.nodes.length,
        pods: lab.pods.length,
        hosts: lab.hosts.length,
        expect: lab.expect,
        report: result.report,
      });
      return EXIT_OK;
    }
    // The lab text goes to stdout when no -o is given (pipe it to a file); notes go to stderr.
    if (!out) io.out(result.text);
    for (const line of result.report) io.err(`note: ${line}\n`);
    if (out)
      io.out(
        `wrote ${out}: lab ${lab.name} (${counts})\nnext: egress-lab check ${shellQuote(out)}\n`,
      );
    return EXIT_OK;
  },
};

/** A directory stands for the files in it (a support case's dump folder), in name order. */
async function expandDirectories(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const st = p === '-' ? undefined : await stat(p).catch(() => undefined);
    if (!st?.isDirectory()) {
      out.push(p);
      continue;
    }
    const names = (await readdir(p)).filter((n) => /\.(ya?ml|json|txt|out)$/i.test(n)).sort();
    out.push(...names.map((n) => join(p, n)));
  }
  return out;
}
