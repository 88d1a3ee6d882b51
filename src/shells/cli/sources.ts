// Reads the files named on the command line; a missing file is a problem with a
// position like any other bad input, so it prints as FILE:1:1: … and exits 1.
import { LabInputError } from '../../core/errors.js';
import type { CliIO } from './io.js';

export interface Source {
  file: string;
  text: string;
}

export async function readSources(io: CliIO, paths: string[]): Promise<Source[]> {
  const sources: Source[] = [];
  const problems = [];
  for (const file of paths) {
    try {
      // `-` is standard input, as for calicoctl (`calicoctl apply -f -`).
      if (file === '-') {
        if (!io.readStdin) throw new Error('no standard input here');
        sources.push({ file: '<stdin>', text: await io.readStdin() });
      } else sources.push({ file, text: await io.readFile(file) });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : (e as Error).message;
      const shown = file === '-' ? '<stdin>' : file;
      problems.push({
        position: { file: shown, line: 1, col: 1 },
        message: `cannot read file: ${why}`,
      });
    }
  }
  if (problems.length) throw new LabInputError(problems);
  return sources;
}
