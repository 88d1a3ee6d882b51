// Where commands write: injectable so tests can run the CLI in-process.
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Raw bytes to stdout (a pcap stream); absent where the output takes text only. */
  outBytes?(data: Uint8Array): void;
  readFile(path: string): Promise<string>;
  /** Standard input, all of it (`-f -`); absent where there is none. */
  readStdin?(): Promise<string>;
  writeFile(path: string, text: string | Uint8Array): Promise<void>;
  /** stderr is a terminal: long work shows one live progress line there. */
  stderrIsTTY?: boolean;
  /** The terminal's width, to cut the live line. */
  columns?: number;
  /** Aborted on SIGINT, so streaming commands (capture, up) can stop cleanly. */
  signal: AbortSignal;
}

export function printJson(io: CliIO, value: unknown): void {
  io.out(JSON.stringify(value, null, 2) + '\n');
}
