// Progress reporting shared by engine setup, image builds and `up`.
export type ProgressFn = (step: string, detail?: string) => void;

export const noProgress: ProgressFn = () => undefined;

/** Resolves when a Docker JSON-progress stream (build, pull, import) ends; rejects on its error. */
export function followDockerStream(
  stream: NodeJS.ReadableStream,
  onLine: (text: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let failure: string | undefined;
    const handle = (line: string): void => {
      if (!line.trim()) return;
      try {
        const ev = JSON.parse(line) as {
          stream?: string;
          status?: string;
          progress?: string;
          error?: string;
          errorDetail?: { message?: string };
        };
        if (ev.error || ev.errorDetail) failure = ev.errorDetail?.message ?? ev.error;
        const text = (ev.stream ?? [ev.status, ev.progress].filter(Boolean).join(' ')).trim();
        if (text) onLine(text);
      } catch {
        onLine(line.trim());
      }
    };
    stream.on('data', (chunk: Buffer | string) => {
      buf += chunk.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        handle(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    stream.on('error', reject);
    stream.on('end', () => {
      handle(buf);
      if (failure) reject(new Error(failure));
      else resolve();
    });
  });
}
