// `save` writes the lab file the record holds and, per container of the plan, what the
// role's snapshot commands print (a fake service answers for the engine here).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { planSources } from '../../../src/service/offline.js';

const LAB = 'lab-templates/outgoing-nat.yaml';
const TEXT = readFileSync(LAB, 'utf8');
const plan = planSources([{ file: LAB, text: TEXT }]);

vi.mock('../../../src/service/lab-record.js', () => ({ planOf: () => plan }));
vi.mock('../../../src/shells/cli/service.js', () => ({
  withService: async <T>(fn: (s: unknown) => Promise<T>): Promise<T> =>
    fn({
      onlyLab: async () => 'demo',
      record: async () => ({}),
      source: async () => ({ file: 'demo.yaml', text: TEXT }),
      runtime: async () => ({
        exec: async (_lab: string, container: string, argv: string[]) =>
          argv[0] === 'ipset'
            ? { stdout: '', stderr: 'ipset: no such command', exitCode: 127 }
            : { stdout: `${container}: ${argv.join(' ')}\n`, stderr: '', exitCode: 0 },
      }),
    }),
}));

import { runCli } from './run-cli.js';
import { snapshotCommands } from '../../../src/shells/cli/commands/save.js';

describe('save', () => {
  it('a directory: lab.yaml, and each container the outputs of its role', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'egress-save-')), 'state');
    const r = await runCli(['save', dir]);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(dir, 'lab.yaml'), 'utf8')).toBe(TEXT);
    for (const c of plan.containers) {
      for (const [file, argv] of snapshotCommands(c.role)) {
        const text = readFileSync(join(dir, c.name, file), 'utf8');
        if (argv[0] === 'ipset') expect(text).toContain('exit 127\nipset: no such command');
        else expect(text).toBe(`${c.name}: ${argv.join(' ')}\n`);
      }
    }
    const node = plan.containers.find((c) => c.role === 'node')!;
    expect(existsSync(join(dir, node.name, 'iptables-nat.txt'))).toBe(true);
    expect(existsSync(join(dir, node.name, 'bird-protocols.txt'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'saved.json'), 'utf8')).lab).toBe('demo');
    // Never written over.
    expect((await runCli(['save', dir])).code).toBe(2);
  });

  it('FILE.json: the same in one JSON document', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'egress-save-')), 'state.json');
    expect((await runCli(['save', file])).code).toBe(0);
    const state = JSON.parse(readFileSync(file, 'utf8'));
    expect(state.source.text).toBe(TEXT);
    expect(Object.keys(state.containers).sort()).toEqual(plan.containers.map((c) => c.name).sort());
  });
});
