// The CLI loads a command's code only when that command runs: `--help` must not import the
// lab service, the runtime, the engine client or the schema and YAML libraries. Each of those
// modules is wrapped here so that importing it is recorded; a static import of one of them
// from main.ts, the command table or anything they import shows up as a load during --help.
import { describe, expect, it, vi } from 'vitest';

const loaded = vi.hoisted(() => new Set<string>());

vi.mock('zod', async (orig) => (loaded.add('zod'), orig()));
vi.mock('yaml', async (orig) => (loaded.add('yaml'), orig()));
vi.mock('dockerode', async (orig) => (loaded.add('dockerode'), orig()));
vi.mock('ws', async (orig) => (loaded.add('ws'), orig()));
vi.mock('../../../src/service/lab-service.js', async (orig) => (loaded.add('lab-service'), orig()));
vi.mock('../../../src/service/offline.js', async (orig) => (loaded.add('offline'), orig()));
vi.mock(
  '../../../src/runtime/lab/lab-runtime.js',
  async (orig) => (loaded.add('lab-runtime'), orig()),
);
vi.mock('../../../src/runtime/engine/engine.js', async (orig) => (loaded.add('engine'), orig()));

import { helpText } from '../../../src/shells/cli/main.js';
import { commands } from '../../../src/shells/cli/commands/index.js';
import { runCli } from './run-cli.js';

describe('lazy command loading', () => {
  it('--help, help of one command and a usage error load none of the heavy modules', async () => {
    expect((await runCli(['--help'])).code).toBe(0);
    expect((await runCli(['patch', 'ippool', '--help'])).out).toContain('usage: egress-lab patch');
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['help', 'get'])).code).toBe(0);
    expect((await runCli(['exec', 'web-1', '--help'])).code).toBe(0);
    expect((await runCli(['--version'])).code).toBe(0);
    expect((await runCli(['completion', 'bash'])).code).toBe(0);
    expect(helpText()).toContain('egress-lab validate');
    expect([...loaded]).toEqual([]);
  });

  it('a command loads what it needs when it runs (validate: the schemas, not the engine)', async () => {
    const r = await runCli(['validate', 'lab-templates/outgoing-nat.yaml']);
    expect(r.code, r.err).toBe(0);
    expect(loaded.has('zod')).toBe(true);
    expect(loaded.has('yaml')).toBe(true);
    expect(loaded.has('dockerode')).toBe(false);
    expect(loaded.has('lab-service')).toBe(false);
  });

  it("each table entry's module is the command the entry describes", async () => {
    for (const entry of commands) {
      const command = await entry.load();
      expect(command.words).toEqual(entry.words);
      expect(command.usage).toBe(entry.usage);
      expect(command.summary).toBe(entry.summary);
    }
  });
});
