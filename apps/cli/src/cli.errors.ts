/** The exit codes of every command: 0 done, 1 it failed, 2 the command line was wrong (nothing was done). */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A command that could not do its work, in words for the operator. `code`, `status` and `service` are the API's
 * when an API refused (shown, and in the --json error object); `hint` says what to do next.
 */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';

  constructor(
    message: string,
    readonly details: { code?: string; status?: number; service?: string; hint?: string } = {},
  ) {
    super(message);
  }
}

/** The command line asked for something that does not exist or is missing a part: exit 2, with the usage to fix it. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(
    message: string,
    /** The command whose usage to show ("agents list"), or none for the top-level usage. */
    readonly command?: string,
  ) {
    super(message);
  }
}
