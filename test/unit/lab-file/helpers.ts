// Shared helpers for lab-file tests: run a load expecting failure and get the formatted
// problems; find where a piece of text sits in a source, independently of the loader.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { formatProblem, LabInputError, type Problem } from '../../../src/core/errors.js';

export function fixture(name: string): { file: string; text: string } {
  const file = `test/fixtures/${name}`;
  return { file, text: readFileSync(file, 'utf8') };
}

/** Runs fn, which must throw LabInputError; returns its problems. */
export function problemsOf(fn: () => unknown): Problem[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof LabInputError) return e.problems;
    throw e;
  }
  expect.fail('expected a LabInputError');
}

export function linesOf(fn: () => unknown): string[] {
  return problemsOf(fn).map(formatProblem);
}

/** 1-based line and column of the n-th occurrence (0-based) of `needle` in `text`. */
export function whereIs(text: string, needle: string, nth = 0): { line: number; col: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${JSON.stringify(needle)} not found`);
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const col = at - before.lastIndexOf('\n');
  return { line, col };
}
