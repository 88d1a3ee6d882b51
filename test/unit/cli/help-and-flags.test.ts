// Help, --version and did-you-mean, generated from the command specs; and the specs checked
// against the commands' code: every option a command's parser takes is in its spec's flags.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commands } from '../../../src/shells/cli/commands/index.js';
import { runCli } from './run-cli.js';

const dir = 'src/shells/cli/commands';

/** Option names each command's module passes to parseCommandArgs, read from its source. */
function optionsInSource(file: string): string[] {
  const text = readFileSync(`${dir}/${file}`, 'utf8');
  return [...text.matchAll(/(?:'([\w-]+)'|(\w+)): \{ type: '(?:string|boolean)'/g)].map(
    (m) => m[1] ?? m[2]!,
  );
}

/** index.ts pairs each SPECS key with the file it imports. */
function moduleOfEachSpec(): Map<string, string> {
  const index = readFileSync(`${dir}/index.ts`, 'utf8');
  const map = new Map<string, string>();
  for (const m of index.matchAll(
    /\.\.\.SPECS\.(\w+),\s*load: async \(\) => \(await import\('\.\/([\w-]+)\.js'\)\)/g,
  ))
    map.set(m[1]!, `${m[2]}.ts`);
  return map;
}

describe('help for every command', () => {
  it('every option a command parses is described in its spec', async () => {
    const { SPECS } = await import('../../../src/shells/cli/commands/specs.js');
    const modules = moduleOfEachSpec();
    expect(modules.size).toBe(commands.length);
    for (const [key, file] of modules) {
      const spec = SPECS[key as keyof typeof SPECS];
      const described = spec.flags.map((f) => f.name).sort();
      expect(described, `${file}`).toEqual([...new Set(optionsInSource(file))].sort());
    }
  });

  it('`help CMD` and `CMD --help` show the same text, listing every flag with its short form', async () => {
    for (const c of commands) {
      const viaHelp = await runCli(['help', ...c.words]);
      const viaFlag = await runCli([...c.words, '--help']);
      expect(viaHelp.code, viaHelp.err).toBe(0);
      expect(viaFlag.out).toBe(viaHelp.out);
      expect(viaHelp.out).toContain(`usage: ${c.usage}`);
      for (const f of c.flags) {
        const options = viaHelp.out.slice(viaHelp.out.indexOf('\noptions:\n'));
        const line = options.split('\n').find((l) => l.includes(`--${f.name}`));
        expect(line, `${c.words.join(' ')} --${f.name}`).toBeDefined();
        expect(line).toContain(f.help);
        if (f.short) expect(line).toContain(`-${f.short}, --${f.name}`);
        if (f.value) expect(line).toContain(`--${f.name} ${f.value}`);
      }
      expect(viaHelp.out).toContain('-h, --help');
    }
  });

  it('every command that prints data takes --json or -o json', () => {
    // These print no data of their own: a container's output, a server, an engine set-up,
    // a script, a drawing, files.
    const noData = [
      'exec',
      'serve',
      'setup',
      'completion',
      'graph',
      'save',
      'workshop serve',
      'bundle',
    ];
    for (const c of commands) {
      if (noData.includes(c.words.join(' '))) continue;
      const json =
        c.flags.some((f) => f.name === 'json') ||
        c.flags.some((f) => f.name === 'output' && f.choices?.includes('json'));
      expect(json, c.words.join(' ')).toBe(true);
    }
  });

  it('-o json is --json for the commands without an -o of their own', async () => {
    const json = await runCli(['validate', 'lab-templates/outgoing-nat.yaml', '--json']);
    expect(json.code, json.err).toBe(0);
    for (const spelling of [['-o', 'json'], ['-ojson'], ['--output=json']]) {
      const r = await runCli(['validate', 'lab-templates/outgoing-nat.yaml', ...spelling]);
      expect(r.out).toBe(json.out);
    }
    // import has its own -o (the file to write): left alone, as exec's argv after --.
    const { jsonAlias } = await import('../../../src/shells/cli/main.js');
    const imp = commands.find((c) => c.words[0] === 'import')!;
    expect(jsonAlias(imp, ['-o', 'json'])).toEqual(['-o', 'json']);
    const exec = commands.find((c) => c.words[0] === 'exec')!;
    expect(jsonAlias(exec, ['web-1', '--', 'x', '-o', 'json'])).toEqual([
      'web-1',
      '--',
      'x',
      '-o',
      'json',
    ]);
  });

  it('an alias selects its command (inspect = status)', async () => {
    const r = await runCli(['inspect', '--help']);
    expect(r.out).toContain('usage: egress-lab status');
    expect(r.out).toContain('also: egress-lab inspect');
  });

  it('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`egress-lab ${pkg.version}\n`);
  });

  it('an unknown command suggests the closest ones, exit 2', async () => {
    const r = await runCli(['captur', 'tor']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("'captur tor' is not an egress-lab command");
    expect(r.err).toMatch(/most similar command is:\n\tcapture\n/);
    const two = await runCli(['patch', 'ipool']);
    expect(two.err).toContain('\tpatch ippool');
    const none = await runCli(['zzzzzzzz']);
    expect(none.err).not.toContain('most similar');
    expect(none.err).toContain('usage:');
    const help = await runCli(['help', 'stauts']);
    expect(help.code).toBe(2);
    expect(help.err).toContain('\tstatus');
  });
});
