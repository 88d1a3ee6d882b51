// The boundary rules (.dependency-cruiser.cjs, run by `npm run lint` and `npm test`) fire:
// tiny projects are written to a temporary folder laid out like this repository and cruised
// with the repository's own configuration.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { afterEach, describe, expect, test } from 'vitest';

const CONFIG = resolve('.dependency-cruiser.cjs');
let dirs: string[] = [];

afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** Cruises `files` (path -> source) with the repository's rules; the violations, by rule. */
async function violations(files: Record<string, string>): Promise<string[]> {
  const base = mkdtempSync(join(tmpdir(), 'egress-lab-bounds-'));
  dirs.push(base);
  const all = {
    'tsconfig.json': JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true },
    }),
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(base, path)), { recursive: true });
    writeFileSync(join(base, path), text);
  }
  const options = await extractDepcruiseOptions(CONFIG);
  const roots = ['src', 'renderer'].filter((r) => Object.keys(files).some((f) => f.startsWith(r)));
  // baseDir: the rules' paths (^src/core/ …) are relative to the cruised folder.
  const result = await cruise(roots, { ...options, baseDir: base, validate: true });
  const output = result.output as ICruiseResult;
  return output.summary.violations
    .map((v) =>
      v.cycle
        ? `${v.rule.name}: ${[v.from, ...v.cycle.map((c) => c.name)].join(' -> ')}`
        : `${v.rule.name}: ${v.from} -> ${v.to}`,
    )
    .sort();
}

describe('boundary rules', () => {
  test('a clean little core passes', async () => {
    expect(
      await violations({
        'src/core/model/lab.ts': 'export interface Lab { name: string }\n',
        'src/core/calico/pool.ts':
          "import type { Lab } from '../model/lab.js';\nexport const f = (l: Lab) => l.name;\n",
      }),
    ).toEqual([]);
  });

  test('two modules importing each other are a cycle, type-only imports included', async () => {
    const found = await violations({
      'src/core/calico/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'src/core/calico/b.ts':
        "import type { A } from './c.js';\nexport const b = 1 as unknown as A;\n",
      'src/core/calico/c.ts': "import { a } from './a.js';\nexport type A = typeof a;\n",
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^no-cycle: /);
    for (const f of ['a.ts', 'b.ts', 'c.ts']) expect(found[0]).toContain(`src/core/calico/${f}`);
  });

  test('the core importing a Node I/O module is a layer violation; node:crypto is fine', async () => {
    const found = await violations({
      'src/core/lab-file/read.ts':
        "import { readFileSync } from 'node:fs';\nexport const r = (p: string) => readFileSync(p, 'utf8');\n",
      'src/core/dataplane/hash.ts':
        "import { createHash } from 'node:crypto';\nexport const h = (s: string) => createHash('sha256').update(s).digest('hex');\n",
    });
    expect(found).toEqual(['core-no-io: src/core/lab-file/read.ts -> fs']);
  });

  test('layers: core -> runtime, shell -> runtime, renderer -> service code', async () => {
    const found = await violations({
      'src/runtime/engine.ts': 'export const engine = 1;\n',
      'src/service/api.ts': 'export interface Api { up(): void }\nexport const call = 1;\n',
      'src/core/plan/plan.ts':
        "import { engine } from '../../runtime/engine.js';\nexport const p = engine;\n",
      'src/shells/cli/up.ts':
        "import { engine } from '../../runtime/engine.js';\nexport const u = engine;\n",
      'renderer/src/ok.ts':
        "import type { Api } from '../../src/service/api.js';\nexport type A = Api;\n",
      'renderer/src/bad.ts':
        "import { call } from '../../src/service/api.js';\nexport const c = call;\n",
    });
    expect(found).toContain('core-is-pure: src/core/plan/plan.ts -> src/runtime/engine.ts');
    expect(found).toContain(
      'shells-through-service: src/shells/cli/up.ts -> src/runtime/engine.ts',
    );
    // The renderer may share the service's types (ok.ts), not its code (bad.ts).
    expect(found).toContain(
      'renderer-service-types-only: renderer/src/bad.ts -> src/service/api.ts',
    );
    expect(found).toHaveLength(3);
  });

  test("the core's folder order: calico may not import lab-file", async () => {
    const found = await violations({
      'src/core/lab-file/load.ts': 'export const load = 1;\n',
      'src/core/calico/patch.ts':
        "import { load } from '../lab-file/load.js';\nexport const p = load;\n",
    });
    expect(found).toEqual([
      'core-order-calico: src/core/calico/patch.ts -> src/core/lab-file/load.ts',
    ]);
  });
});
