// A path in a "next: egress-lab …" hint, quoted so the line can be pasted into a shell as is.
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
