// Docker's multiplexed attach stream (non-TTY exec): frames of an 8-byte header
// [stream, 0, 0, 0, size (uint32 BE)] and a payload. Chunks may split a frame anywhere.

export type StreamSink = (chunk: Buffer) => void;

export class Demuxer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    private readonly stdout: StreamSink,
    private readonly stderr: StreamSink,
  ) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const kind = this.pending[0];
      const payload = this.pending.subarray(8, 8 + size);
      this.pending = this.pending.subarray(8 + size);
      if (kind === 2) this.stderr(payload);
      else this.stdout(payload); // 0 (stdin echo) and 1 both count as output
    }
  }
}

/** Splits a byte stream into text lines; the last partial line waits for more. */
export class LineSplitter {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    this.rest += chunk.toString();
    let i: number;
    while ((i = this.rest.indexOf('\n')) >= 0) {
      const line = this.rest.slice(0, i).replace(/\r$/, '');
      this.rest = this.rest.slice(i + 1);
      this.onLine(line);
    }
  }

  /** Flushes a final line that had no newline. */
  end(): void {
    if (this.rest) this.onLine(this.rest);
    this.rest = '';
  }
}
