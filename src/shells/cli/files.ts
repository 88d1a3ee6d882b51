// Files named on the command line are looked at before they are read: only a regular file is
// read, and only up to the lab-file limit. `/dev/zero` would otherwise be read until memory
// runs out, and a FIFO would block the CLI forever.
import { open, stat } from 'node:fs/promises';
import { MAX_FILE_BYTES } from '../../core/lab-file/limits.js';

/** An error with a Node-style code, so callers map it like ENOENT or EISDIR. */
function fileError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/**
 * The text of a regular file of at most `limit` bytes (the lab-file limit plus room, so the
 * parser can say "too large" with the real size); anything else is refused without reading.
 */
export async function readInputFile(path: string, limit = MAX_FILE_BYTES * 2): Promise<string> {
  const s = await stat(path);
  if (s.isDirectory()) throw fileError('EISDIR', 'is a directory');
  if (!s.isFile()) throw fileError('ENOTREG', 'is not a regular file (a device, FIFO or socket)');
  if (s.size > limit)
    throw fileError('EFBIG', `is too large (${s.size} bytes); lab files are limited to 1 MiB`);
  // Opened, then read through the handle: a file swapped for a FIFO between stat and read
  // is caught by the second check on the open file.
  const handle = await open(path, 'r');
  try {
    const again = await handle.stat();
    if (!again.isFile()) throw fileError('ENOTREG', 'is not a regular file');
    const buffer = Buffer.alloc(Math.min(again.size, limit));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Whether something (a file, a directory, a device…) already has this name: never written over. */
export async function pathTaken(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** All of standard input, refused past `limit` bytes (the same bound as a file). */
export async function readStdinText(limit = MAX_FILE_BYTES * 2): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw fileError(
        'EFBIG',
        `is too large (over ${limit} bytes); lab files are limited to 1 MiB`,
      );
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
