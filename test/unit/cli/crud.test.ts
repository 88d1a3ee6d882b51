// create / replace / delete -f: checked against the running lab's resources first, then one
// apply (or pool deletes); calicoctl's messages (crud_commands.go) either way. A fake service
// holds the lab of the outgoing-nat template.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { planSources } from '../../../src/service/offline.js';

const LAB = 'lab-templates/outgoing-nat.yaml';
const lab = planSources([{ file: LAB, text: readFileSync(LAB, 'utf8') }]).lab;
const calls = vi.hoisted(() => [] as string[]);

vi.mock('../../../src/shells/cli/service.js', () => ({
  withService: async <T>(fn: (s: unknown) => Promise<T>): Promise<T> =>
    fn({
      onlyLab: async () => 'demo',
      record: async () => ({ lab }),
      apply: async (name: string, sources: { file: string }[], dryRun: boolean) => {
        calls.push(`apply ${name} ${sources.length} ${dryRun}`);
        return { message: 'Successfully applied', diffs: [], appliedMs: 3, warnings: [] };
      },
      deleteResources: async (
        name: string,
        refs: { kind: string; name: string }[],
        dryRun: boolean,
      ) => {
        calls.push(`delete ${name} ${refs.map((r) => `${r.kind}/${r.name}`).join(',')} ${dryRun}`);
        return { message: 'x', diffs: [], appliedMs: 2, warnings: [] };
      },
    }),
}));

import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'egress-crud-'));
function pools(...names: string[]): string {
  const p = join(dir, `${names.join('-')}.yaml`);
  writeFileSync(
    p,
    names
      .map(
        (n, i) =>
          `apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: ${n}}\nspec: {cidr: 10.${i + 10}.0.0/16}\n`,
      )
      .join('---\n'),
  );
  return p;
}

describe('create, replace, delete -f', () => {
  it("create: calicoctl's success message; an existing resource fails it, nothing applied", async () => {
    const ok = await runCli(['create', '-f', pools('extra-a', 'extra-b')]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toBe("Successfully created 2 'IPPool' resource(s)\n");
    expect(calls.at(-1)).toBe('apply demo 1 false');
    const n = calls.length;
    const dup = await runCli(['create', '-f', pools('default-ipv4-ippool')]);
    expect(dup.code).toBe(1);
    expect(dup.err).toBe(
      "failed to create 'IPPool' resource: [resource already exists: IPPool(default-ipv4-ippool) with error: <nil>]\n",
    );
    expect(calls.length).toBe(n);
  });

  it('replace: every resource must exist', async () => {
    const ok = await runCli(['replace', '-f', pools('default-ipv4-ippool'), '--dry-run']);
    expect(ok.out).toBe(
      "Successfully replaced 1 'IPPool' resource(s) (dry run: nothing applied)\n",
    );
    expect(calls.at(-1)).toBe('apply demo 1 true');
    const missing = await runCli(['replace', '-f', pools('nope', 'nada')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(
      "failed to replace any 'IPPool' resources: [resource does not exist: IPPool(nope) with error: <nil> resource does not exist: IPPool(nada) with error: <nil>]\n",
    );
  });

  it('delete -f deletes what the file names, every kind at once; delete ippool NAME still goes to its own command', async () => {
    const ok = await runCli(['delete', '-f', pools('default-ipv4-ippool')]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toBe("Successfully deleted 1 'IPPool' resource(s)\n");
    expect(calls.at(-1)).toBe('delete demo IPPool/default-ipv4-ippool false');
    const both = join(dir, 'both.yaml');
    writeFileSync(
      both,
      `${readFileSync(pools('default-ipv4-ippool'), 'utf8')}---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {}
`,
    );
    const two = await runCli(['delete', '-f', both, '--dry-run']);
    expect(two.code, two.err).toBe(0);
    expect(two.out).toBe('Successfully deleted 2 resource(s) (dry run: nothing applied)\n');
    expect(calls.at(-1)).toBe(
      'delete demo IPPool/default-ipv4-ippool,FelixConfiguration/default true',
    );
    const help = await runCli(['delete', 'ippool', '--help']);
    expect(help.out).toContain('usage: egress-lab delete ippool NAME');
    expect((await runCli(['delete', 'bgppeer', 'x'])).code).toBe(2);
  });
});
