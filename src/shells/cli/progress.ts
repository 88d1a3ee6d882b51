// Progress of long work (up, down) on stderr: in a terminal, one line rewritten in place
// (carriage return, erase to end of line) and cut to the terminal's width; piped or in a log,
// one plain line per step, as before. The result still goes to stdout either way.
import type { CliIO } from './io.js';

export interface Progress {
  step(step: string, detail?: string): void;
  /** Ends the live line (clears it in a terminal), so what follows starts on a clean line. */
  end(): void;
}

export function progress(io: CliIO, started = Date.now()): Progress {
  const live = io.stderrIsTTY === true;
  let shown = false;
  const text = (step: string, detail?: string): string =>
    `[${((Date.now() - started) / 1000).toFixed(1)}s] ${step}${detail ? `: ${detail}` : ''}`;
  return {
    step(step, detail) {
      const line = text(step, detail);
      if (!live) return io.err(`${line}\n`);
      const width = Math.max(20, (io.columns ?? 80) - 1);
      const cut = line.length > width ? `${line.slice(0, width - 1)}…` : line;
      io.err(`\r\x1b[K${cut}`);
      shown = true;
    },
    end() {
      if (live && shown) io.err('\r\x1b[K');
      shown = false;
    },
  };
}
