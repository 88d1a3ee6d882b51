// The template gallery: every lab file in lab-templates/, described by its Lab metadata.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { LabSource, TemplateInfo } from './api.js';
import { echoed } from './client-text.js';

/** The package root (holds package.json), found from this file in src/ or dist/src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export function defaultTemplatesDir(): string {
  return join(packageRoot(), 'lab-templates');
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export async function listTemplates(dir: string): Promise<TemplateInfo[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  const out: TemplateInfo[] = [];
  for (const f of files) {
    const text = await readFile(join(dir, f), 'utf8');
    const first = parseAllDocuments(text)[0];
    const meta =
      (first && !Array.isArray(first)
        ? (first.toJS() as { metadata?: Record<string, unknown> })
        : {}
      )?.metadata ?? {};
    out.push({
      id: f.replace(/\.yaml$/, ''),
      name: str(meta.name) || f.replace(/\.yaml$/, ''),
      description: str(meta.description),
      docs: str(meta.docs),
      notes: str(meta.notes),
    });
  }
  return out;
}

/**
 * Template ids are file names: no path separators, so no escape from the folder. The source
 * is named by its file name, never the host path of the folder (it goes to the page).
 */
export async function readTemplate(dir: string, id: string): Promise<LabSource> {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(id) || id.includes('..')) {
    throw new Error(`unknown template '${echoed(id)}'`);
  }
  const name = `${id}.yaml`;
  try {
    return { file: name, text: await readFile(join(dir, name), 'utf8') };
  } catch {
    throw new Error(`unknown template '${id}' (no ${name} among the templates)`);
  }
}
