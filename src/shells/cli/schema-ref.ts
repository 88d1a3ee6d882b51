// Where the lab files the CLI writes (`new`, `import`) point editors for the JSON Schema: the
// installed package's schema/egress-lab.schema.json as an absolute file URL, valid wherever the
// file is written or later moved on this machine (a relative path would hold only next to the
// package; the project publishes no schema URL).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LAB_SCHEMA_PATH } from '../../core/lab-file/schema-comment.js';
import { packageRoot } from '../../service/templates.js';

export function installedSchemaUrl(): string {
  return pathToFileURL(join(packageRoot(), LAB_SCHEMA_PATH)).href;
}
