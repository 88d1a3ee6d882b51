// A thin wrapper over node:util parseArgs that turns its errors into UsageError,
// so an unknown flag or a missing value exits 2 with the command's usage.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<O extends Options>(
  args: string[],
  options: O,
  usage: string,
): {
  values: {
    [K in keyof O]?: O[K]['type'] extends 'boolean'
      ? boolean
      : O[K]['multiple'] extends true
        ? string[]
        : string;
  };
  positionals: string[];
} {
  try {
    const { values, positionals } = parseArgs({
      args,
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as never, positionals };
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\nusage: ${usage}`);
  }
}

/** Splits `A -- B` argv into the part before `--` and the part after. */
export function splitDoubleDash(args: string[]): { before: string[]; after: string[] } {
  const i = args.indexOf('--');
  return i < 0
    ? { before: args, after: [] }
    : { before: args.slice(0, i), after: args.slice(i + 1) };
}

export function requireInt(
  value: string | undefined,
  flag: string,
  usage: string,
  min = 0,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(
      `${flag} takes a whole number${min ? ` >= ${min}` : ''}, got '${value}'\nusage: ${usage}`,
    );
  }
  return Number(value);
}
