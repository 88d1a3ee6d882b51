// Writes schema/egress-lab.schema.json, the lab file's JSON Schema for editors, from the
// compiled generator (run `npm run build` first; `npm run schema` does both). A unit test
// fails when the committed file and the generator's output differ.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { labFileJsonSchemaText, LAB_SCHEMA_PATH } = await import(
  join(root, 'dist/src/core/lab-file/json-schema.js')
);
const out = join(root, LAB_SCHEMA_PATH);
mkdirSync(dirname(out), { recursive: true });
const options = { ...(await prettier.resolveConfig(out)), filepath: out };
writeFileSync(out, await prettier.format(labFileJsonSchemaText(), options));
console.log(`wrote ${LAB_SCHEMA_PATH}`);
