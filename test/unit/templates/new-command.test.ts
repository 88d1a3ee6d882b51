// `egress-lab new`: copies of templates to edit, never over an existing file unless --force.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { runCli } from '../cli/run-cli.js';

const ids = readdirSync('lab-templates')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''));
const tmp = () => mkdtempSync(join(tmpdir(), 'egress-lab-new-'));
const SCHEMA_LINE = '# yaml-language-server: $schema=';
const SCHEMA = pathToFileURL(resolve('schema/egress-lab.schema.json')).href;
// A copy is the template with its schema line pointing at the package's schema, by file URL.
const copyOf = (template: string) =>
  readFileSync(template, 'utf8').replace(/^.*\n/, `${SCHEMA_LINE}${SCHEMA}\n`);

describe('egress-lab new', () => {
  test('--list names every template with its description', async () => {
    const r = await runCli(['new', '--list']);
    expect(r.code).toBe(0);
    for (const id of ids) expect(r.out).toMatch(new RegExp(`^${id} +\\S`, 'm'));
  });

  test('--list --json: id, description, docs, notes', async () => {
    const r = await runCli(['new', '--list', '--json']);
    const list = JSON.parse(r.out) as { id: string; docs: string }[];
    expect(list.map((t) => t.id).sort()).toEqual([...ids].sort());
    expect(list.every((t) => t.docs.length > 0)).toBe(true);
  });

  test('writes a copy to FILE, refuses to overwrite, --force overwrites', async () => {
    const file = join(tmp(), 'mine.yaml');
    const r = await runCli(['new', 'inbound-over-bgp', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`wrote ${file}`);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(copyOf('lab-templates/inbound-over-bgp.yaml'));
    // The schema line names a schema that exists, wherever the copy was written.
    const ref = text.split('\n')[0]!.slice(SCHEMA_LINE.length);
    expect(existsSync(fileURLToPath(ref))).toBe(true);

    writeFileSync(file, 'my edits\n');
    const again = await runCli(['new', 'inbound-over-bgp', file]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already exists; use --force');
    expect(readFileSync(file, 'utf8')).toBe('my edits\n');

    expect((await runCli(['new', 'inbound-over-bgp', file, '--force'])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('name: inbound-over-bgp');
  });

  test('default FILE is <template>.yaml in the current directory', async () => {
    const dir = tmp();
    const cwd = process.cwd();
    const tplDir = join(cwd, 'lab-templates', 'outgoing-nat.yaml');
    process.chdir(dir);
    try {
      expect((await runCli(['new', 'outgoing-nat'])).code).toBe(0);
      expect(readFileSync(join(dir, 'outgoing-nat.yaml'), 'utf8')).toBe(copyOf(tplDir));
    } finally {
      process.chdir(cwd);
    }
  });

  test('unknown template or bad arguments: usage error listing the templates', async () => {
    const r = await runCli(['new', 'no-such-template', join(tmp(), 'x.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown template 'no-such-template'");
    expect(r.err).toContain('outgoing-nat');
    expect((await runCli(['new'])).code).toBe(2);
    expect((await runCli(['new', '../etc/passwd'])).code).toBe(2);
  });
});
