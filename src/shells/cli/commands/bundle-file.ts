// A bundle named on `up`'s command line may be larger than a lab file (its captures are in
// it): read up to 256 MiB when the file starts as a bundle, else leave it to readSources.
import { open } from 'node:fs/promises';
import { looksLikeBundle } from '../../../core/diag/bundle.js';
import { readInputFile } from '../files.js';

const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;

export async function readBundleFile(
  path: string,
): Promise<{ file: string; text: string } | undefined> {
  if (path === '-') return undefined;
  let head: string;
  try {
    const h = await open(path, 'r');
    try {
      const buf = Buffer.alloc(64);
      const { bytesRead } = await h.read(buf, 0, 64, 0);
      head = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await h.close();
    }
  } catch {
    return undefined; // readSources says what is wrong with the path
  }
  if (!looksLikeBundle(head)) return undefined;
  return { file: path, text: await readInputFile(path, MAX_BUNDLE_BYTES) };
}
