// Did-you-mean for an unknown command: the known command words closest to what was typed
// (edit distance), as git and kubectl suggest them.
import type { CommandSpec } from './command.js';

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length]!;
}

/** Every way to select a command: its words and its aliases' words. */
export function commandPhrases(specs: readonly CommandSpec[]): string[] {
  return specs.flatMap((c) => [c.words, ...(c.aliases ?? [])].map((w) => w.join(' ')));
}

/**
 * Commands close to `argv`: each phrase is compared with as many words of argv as it has;
 * close means at most a third of the phrase's letters differ (at least one), or argv is a
 * prefix of it.
 */
export function suggestCommands(argv: readonly string[], specs: readonly CommandSpec[]): string[] {
  const scored: { phrase: string; d: number }[] = [];
  for (const phrase of new Set(commandPhrases(specs))) {
    const n = phrase.split(' ').length;
    const typed = argv.slice(0, n).join(' ');
    if (!typed) continue;
    const d = phrase.startsWith(typed) ? 0 : distance(typed, phrase);
    if (d <= Math.max(1, Math.floor(phrase.length / 3))) scored.push({ phrase, d });
  }
  scored.sort((a, b) => a.d - b.d || a.phrase.localeCompare(b.phrase));
  return scored.slice(0, 3).map((s) => s.phrase);
}
