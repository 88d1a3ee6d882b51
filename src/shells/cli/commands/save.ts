// `egress-lab save`: the running lab's state, as a record to keep or compare: the lab file as
// the lab's record holds it, and from every container what is live in it now (addresses,
// routes; on nodes the nat table and ipsets; where BIRD runs its sessions and routes). Each
// command's output is saved as it printed it (argv run in the container, no shell); a command
// that failed is saved with its error, so the record shows what could not be read.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Role } from '../../../core/plan/types.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { pathTaken } from '../files.js';
import { parseCommandArgs } from '../parse-args.js';
import { withService } from '../service.js';

const { usage } = SPECS.save;
const BIRDC = ['birdc', '-s', '/run/bird/bird.ctl'];

/** What is read from a container of each role: file name → argv. */
export function snapshotCommands(role: Role): [string, string[]][] {
  const common: [string, string[]][] = [
    ['addresses.txt', ['ip', 'addr']],
    ['routes.txt', ['ip', 'route', 'show', 'table', 'all']],
  ];
  const bird: [string, string[]][] = [
    ['bird-protocols.txt', [...BIRDC, 'show', 'protocols', 'all']],
    ['bird-routes.txt', [...BIRDC, 'show', 'route', 'all']],
  ];
  if (role === 'node')
    return [
      ...common,
      ['iptables-nat.txt', ['iptables-save', '-t', 'nat', '-c']],
      ['ipset.txt', ['ipset', 'save']],
      ...bird,
    ];
  if (role === 'router' || role === 'tor') return [...common, ...bird];
  return common;
}

export interface SavedState {
  lab: string;
  savedAt: string;
  source: { file: string; text: string };
  containers: Record<string, { role: Role; files: Record<string, string> }>;
}

export const saveCommand: Command = {
  ...SPECS.save,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(args, { name: { type: 'string' } }, usage);
    if (positionals.length !== 1)
      throw new UsageError(`save needs one PATH (a new directory, or FILE.json)\nusage: ${usage}`);
    const path = positionals[0]!;
    if (await pathTaken(path))
      throw new UsageError(`${path} already exists: save writes a new directory or file`);
    const state = await withService(async (s) => {
      const lab = values.name ?? (await s.onlyLab());
      const record = await s.record(lab);
      const { planOf } = await import('../../../service/lab-record.js');
      const rt = await s.runtime();
      const state: SavedState = {
        lab,
        savedAt: new Date().toISOString(),
        source: await s.source(lab),
        containers: {},
      };
      for (const c of planOf(record).containers) {
        const files: Record<string, string> = {};
        await Promise.all(
          snapshotCommands(c.role).map(async ([file, argv]) => {
            try {
              const r = await rt.exec(lab, c.name, argv);
              files[file] =
                r.exitCode === 0
                  ? r.stdout
                  : `# ${argv.join(' ')}: exit ${r.exitCode}\n${r.stderr}${r.stdout}`;
            } catch (e) {
              files[file] = `# ${argv.join(' ')}: ${(e as Error).message}\n`;
            }
          }),
        );
        state.containers[c.name] = { role: c.role, files };
      }
      return state;
    });
    if (path.endsWith('.json')) {
      await io.writeFile(path, JSON.stringify(state, null, 2) + '\n');
    } else {
      await mkdir(path, { recursive: false });
      await io.writeFile(join(path, 'lab.yaml'), state.source.text);
      for (const [name, c] of Object.entries(state.containers)) {
        await mkdir(join(path, name));
        for (const [file, text] of Object.entries(c.files))
          await io.writeFile(join(path, name, file), text);
      }
      await io.writeFile(
        join(path, 'saved.json'),
        JSON.stringify(
          {
            lab: state.lab,
            savedAt: state.savedAt,
            source: state.source.file,
            containers: Object.fromEntries(
              Object.entries(state.containers).map(([n, c]) => [
                n,
                { role: c.role, files: Object.keys(c.files).sort() },
              ]),
            ),
          },
          null,
          2,
        ) + '\n',
      );
    }
    const n = Object.keys(state.containers).length;
    io.err(`saved lab ${state.lab} (${n} container${n === 1 ? '' : 's'}) to ${path}\n`);
    return EXIT_OK;
  },
};
