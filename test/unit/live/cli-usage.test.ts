// The live commands' command-line contract, where no engine is needed: usage errors exit 2,
// bad input exits 1 with a message naming what is wrong, and nothing reaches a lab.
import { describe, expect, it } from 'vitest';
import { helpText, main } from '../../../src/shells/cli/main.js';
import type { CliIO } from '../../../src/shells/cli/io.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    readFile: async (p) => {
      throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
    },
    writeFile: async () => undefined,
    signal: new AbortController().signal,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('live commands: usage', () => {
  it.each([
    [['patch', 'ippool']],
    [['patch', 'ippool', 'p']],
    [['patch', 'ippool', 'p', 'q', '--patch', '{}']],
    [['apply']],
    [['delete', 'ippool']],
    [['conntrack']],
    [['conntrack', 'node-1', '--pod', 'web-1']],
    [['check']],
    [['ping', 'web-1']],
    [['ping', 'web-1', 'internet', '--count', 'x']],
    [['capture']],
    [['capture', 'internet', '--timeout', '-1']],
    [['traffic', 'web-1', 'internet', '--proto', 'sctp']],
    [['traffic', 'web-1', 'internet', '--interval', '5']],
  ])('%j exits 2 with the usage', async (argv) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/usage: egress-lab /);
  });

  it('a patch that is not JSON, or not an object, is invalid input (exit 1) naming the pool', async () => {
    const bad = await run('patch', 'ippool', 'default-ipv4-ippool', '--patch', '{"spec":');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^IPPool\(default-ipv4-ippool\) --patch is not valid JSON/);
    const arr = await run('patch', 'ippool', 'default-ipv4-ippool', '--patch', '[1]');
    expect(arr.code).toBe(1);
    expect(arr.err).toMatch(/must be a JSON object/);
  });

  it('check and apply on a missing file: FILE:1:1 and exit 1', async () => {
    expect(await run('check', 'nope.yaml')).toMatchObject({
      code: 1,
      err: 'nope.yaml:1:1: cannot read file: no such file\n',
    });
    expect((await run('apply', '-f', 'nope.yaml')).err).toMatch(
      /^nope\.yaml:1:1: cannot read file/,
    );
  });

  it('help lists every live command', () => {
    const help = helpText();
    for (const w of [
      'patch ippool',
      'apply -f',
      'delete ippool',
      'conntrack',
      'check FILE',
      'ping',
      'capture',
      'traffic',
    ]) {
      expect(help).toContain(`egress-lab ${w}`);
    }
  });
});
