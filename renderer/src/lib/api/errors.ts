import type { Problem } from './types.js';

/** A failed call: the service's message plus, for bad input, every problem with its position. */
export class ApiError extends Error {
  readonly problems: Problem[];
  constructor(message: string, problems: Problem[] = []) {
    super(message);
    this.name = 'ApiError';
    this.problems = problems;
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
