// The completion scripts come from the command specs; the bash one is run for real: the
// function is sourced into bash, given COMP_WORDS as bash would, and its COMPREPLY read back.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commands } from '../../../src/shells/cli/commands/index.js';
import { runCli } from './run-cli.js';

async function script(shell: string): Promise<string> {
  const r = await runCli(['completion', shell]);
  expect(r.code, r.err).toBe(0);
  return r.out;
}

/** What bash completion offers for the words typed so far (the last one being completed). */
function complete(bash: string, words: string[], cwd = process.cwd()): string[] {
  const setup = `${bash}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _egress_lab; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = execFileSync('bash', ['--norc', '-c', setup], { encoding: 'utf8', cwd });
  return out.split('\n').filter(Boolean).sort();
}

describe('completion', () => {
  it('bash: the first word offers every command and alias', async () => {
    const bash = await script('bash');
    const firsts = complete(bash, ['egress-lab', '']);
    for (const c of commands) expect(firsts).toContain(c.words[0]);
    expect(firsts).toContain('inspect');
    expect(firsts).toContain('--version');
    expect(complete(bash, ['egress-lab', 'ca'])).toEqual(['capture']);
    expect(complete(bash, ['egress-lab', 'get', 'bgp'])).toEqual(['bgpconfiguration', 'bgppeer']);
    expect(complete(bash, ['egress-lab', 'get', 'ippool', ''])).not.toContain('ippool');
  });

  it("bash: a command's flags, and an option's fixed values", async () => {
    const bash = await script('bash');
    for (const c of commands) {
      const offered = complete(bash, ['egress-lab', ...c.words, '-']);
      for (const f of c.flags) {
        expect(offered, `${c.words.join(' ')}`).toContain(`--${f.name}`);
        if (f.short) expect(offered).toContain(`-${f.short}`);
      }
    }
    expect(complete(bash, ['egress-lab', 'traffic', 'a', 'b', '--proto', ''])).toEqual([
      'icmp',
      'tcp',
      'udp',
    ]);
    expect(complete(bash, ['egress-lab', 'get', 'ippool', '-o', 'w'])).toEqual(['wide']);
    expect(complete(bash, ['egress-lab', 'completion', ''])).toEqual(['bash', 'fish', 'zsh']);
    expect(complete(bash, ['egress-lab', 'help', 'pin'])).toEqual(['ping']);
    // `delete` is a command and the start of `delete ippool`: both continue.
    expect(complete(bash, ['egress-lab', 'delete', 'ip'])).toEqual(['ippool']);
    expect(complete(bash, ['egress-lab', 'delete', '-'])).toContain('--file');
  });

  it('bash: a file after -f, and positional files', async () => {
    const bash = await script('bash');
    expect(complete(bash, ['egress-lab', 'apply', '-f', 'package.j'])).toEqual(['package.json']);
    expect(complete(bash, ['egress-lab', 'validate', 'package.j'])).toEqual(['package.json']);
  });

  it('bash: shellcheck finds nothing in the script (when shellcheck is installed)', async () => {
    const bash = await script('bash');
    let found = true;
    try {
      execFileSync('shellcheck', ['--version'], { stdio: 'ignore' });
    } catch {
      found = false;
    }
    if (!found) return;
    execFileSync('shellcheck', ['-s', 'bash', '-'], { input: bash, encoding: 'utf8' });
  });

  it('zsh wraps the bash function; fish names every command and flag', async () => {
    const zsh = await script('zsh');
    expect(zsh).toContain('source <(egress-lab completion zsh)');
    expect(zsh).toContain('compdef _egress_lab_zsh egress-lab');
    expect(zsh).toContain('complete -o filenames -F _egress_lab egress-lab'); // the bash it asks
    const fish = await script('fish');
    for (const c of commands) {
      expect(fish).toContain(`-a '${c.words.at(-1)}'`);
      for (const f of c.flags) expect(fish).toContain(`-l ${f.name}`);
    }
    // Each line is one `complete` call (run for real below where fish is installed).
    for (const line of fish.split('\n').filter((l) => l && !l.startsWith('#')))
      expect(line).toMatch(/^complete -c egress-lab /);
    expect((await runCli(['completion', 'tcsh'])).code).toBe(2);
  });

  const has = (shell: string): boolean => {
    try {
      execFileSync('sh', ['-c', `command -v ${shell}`], { stdio: 'ignore' });
      return true;
    } catch {
      console.warn(`!!! ${shell} is not installed: its completion script is not run (SKIPPED)`);
      return false;
    }
  };

  it.skipIf(!has('zsh'))('zsh: the function offers what the bash one computes', async () => {
    const zsh = await script('zsh');
    const run = (words: string[], current: number): string[] =>
      execFileSync(
        'zsh',
        [
          '-f',
          '-c',
          `compdef() { :; }; eval "$1"; compadd() { shift 2; print -l -- "$@"; }; words=(\${(z)2}); [[ -n $3 ]] && words+=("$3"); CURRENT=$4; _egress_lab_zsh`,
          'zsh',
          zsh,
          words.slice(0, -1).join(' '),
          words.at(-1)!,
          String(current),
        ],
        { encoding: 'utf8' },
      )
        .split('\n')
        .filter(Boolean)
        .sort();
    expect(run(['egress-lab', 'ca'], 2)).toEqual(['capture']);
    expect(run(['egress-lab', 'get', 'ippool', '-o', 'w'], 5)).toEqual(['wide']);
  });

  it.skipIf(!has('fish'))('fish: the script loads and completes commands and values', async () => {
    const fish = await script('fish');
    const complete = (line: string): string[] =>
      execFileSync(
        'fish',
        ['--no-config', '-c', `eval $argv[1]; complete -C "$argv[2]"`, fish, line],
        {
          encoding: 'utf8',
        },
      )
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]!)
        .sort();
    expect(complete('egress-lab ca')).toEqual(['capture']);
    expect(complete('egress-lab rules --format ')).toEqual([
      'bird',
      'ipset',
      'iptables',
      'nft',
      'routes',
    ]);
  });
});
