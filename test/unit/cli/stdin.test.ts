// `-f -` (and `-` as a FILE) reads standard input, as calicoctl's `-f -` does; problems in it
// are reported against <stdin>.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const TEMPLATE = 'lab-templates/outgoing-nat.yaml';

describe('-f - reads stdin', () => {
  it('get ippool -f - lists the pools of the lab file on stdin, as with the file', async () => {
    const viaFile = await runCli(['get', 'ippool', '-f', TEMPLATE, '-o', 'wide']);
    const viaStdin = await runCli(['get', 'ippool', '-f', '-', '-o', 'wide'], {
      stdin: readFileSync(TEMPLATE, 'utf8'),
    });
    expect(viaStdin.code, viaStdin.err).toBe(0);
    expect(viaStdin.out).toBe(viaFile.out);
    expect(viaStdin.out).toMatch(/^NAME\s+CIDR/);
  });

  it('an error in stdin is reported at <stdin>:LINE:COL', async () => {
    const bad =
      'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec:\n  cidr: 10.0.0.0/8\n  blockSize: 19\n';
    const r = await runCli(['validate', '-'], { stdin: bad });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^<stdin>:6:\d+: IPPool\(p\) spec\.blockSize/m);
  });

  it('without a standard input it is a problem, not a crash', async () => {
    const r = await runCli(['get', 'ippool', '-f', '-']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('<stdin>:1:1: cannot read file: no standard input here');
  });
});
