// bench/RESULTS.md keeps the latest full run's figures between two markers; the text
// around them (analysis, what misses and why) is written by hand and left alone.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const BEGIN = '<!-- bench:latest:begin -->';
const END = '<!-- bench:latest:end -->';

export function replaceLatest(doc: string, figures: string): string {
  const block = `${BEGIN}\n${figures.trim()}\n${END}`;
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) return `${doc.trimEnd()}\n\n## Latest figures\n\n${block}\n`;
  return doc.slice(0, a) + block + doc.slice(b + END.length);
}

export async function updateResultsMd(figures: string): Promise<void> {
  const path = fileURLToPath(new URL('../../../bench/RESULTS.md', import.meta.url));
  const doc = await readFile(path, 'utf8').catch(() => '# Benchmark results\n');
  await writeFile(path, replaceLatest(doc, figures));
}
