// POSIX shell quoting for the few scripts the runtime generates (wiring, apply).
// Every value that reaches a shell is quoted here, even names that were already
// validated as DNS labels: validation and quoting are two separate defences.

/** Quotes one word for a POSIX shell: 'it'\''s' style, safe for any byte string. */
export function shQuote(word: string): string {
  if (word === '') return "''";
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One shell command line from an argv array. */
export function shJoin(argv: readonly string[]): string {
  return argv.map(shQuote).join(' ');
}
