// Exit codes are a contract: 0 success, 1 invalid input or a failed check, 2 usage error.
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

/** A command line that does not fit the command's form. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A check that ran and failed (e.g. `check` expectations): exit 1 without a stack trace. */
export class CheckFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailedError';
  }
}
