// `egress-lab import`: the lab text on stdout or in -o FILE, notes on stderr, exit codes.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { runCli } from '../cli/run-cli.js';

const fixture = 'test/fixtures/customers/racks-bgp-no-nat.yaml';

describe('egress-lab import', () => {
  test('-o writes a valid lab named after the file; notes say what was mapped', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'egress-lab-import-')), 'acme-prod.yaml');
    const r = await runCli(['import', fixture, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`wrote ${out}: lab acme-prod (`);
    expect(r.err).toContain('note: BGPPeer(tor-r2)');
    const lab = loadLab([{ file: out, text: readFileSync(out, 'utf8') }]);
    expect(lab.name).toBe('acme-prod');
    expect((await runCli(['validate', out])).code).toBe(0);

    writeFileSync(out, 'keep me\n');
    const again = await runCli(['import', fixture, '-o', out]);
    expect(again.code).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
    expect((await runCli(['import', fixture, '-o', out, '--force'])).code).toBe(0);
  });

  test('without -o the lab goes to stdout', async () => {
    const r = await runCli(['import', fixture]);
    expect(r.code).toBe(0);
    expect(loadLab([{ file: 'stdout', text: r.out }]).name).toBe('imported');
    // Its first line points editors at the installed package's JSON Schema.
    expect(r.out.split('\n')[0]).toBe(
      `# yaml-language-server: $schema=${pathToFileURL(resolve('schema/egress-lab.schema.json')).href}`,
    );
  });

  test('bad input: positioned problems, exit 1; no FILE: exit 2', async () => {
    const r = await runCli(['import', 'test/fixtures/customers/missing.yaml']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/missing\.yaml:1:1: .*no such file/);
    expect((await runCli(['import'])).code).toBe(2);
  });
});
