import { FailureType } from '../common/errors';

/**
 * Exit codes and the one error type of the CLI. Every failure becomes a CliError with an exit code and a message
 * written for the person at the terminal; `offboard --help` documents the codes.
 */
export const ExitCode = {
  Ok: 0,
  /** A bug or an answer the CLI did not expect. */
  Unexpected: 1,
  /** A flag or argument breaks a rule; nothing was contacted. */
  BadInput: 2,
  /** No such run (or identity, or cluster). */
  NotFound: 3,
  /** The run (its update validator) or Alibaba Cloud refused the request; nothing changed. */
  Refused: 4,
  /** Temporal (or its worker, or Alibaba Cloud) could not be reached in time. */
  Unreachable: 5,
  /** The run stopped short of what the command waits for: it is Blocked, or waits for a human decision. */
  Stopped: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeHelp = `Exit codes:
  0  ok
  1  unexpected error (a bug, or an answer the CLI did not expect)
  2  bad input: a flag or argument breaks a rule (nothing was contacted)
  3  not found: no such run, identity or cluster
  4  refused: the run (or Alibaba Cloud) refused the request; nothing changed
  5  unreachable: Temporal, its worker or Alibaba Cloud did not answer
  6  stopped short: the run is Blocked or waits for a human decision (revoke, start --wait)`;

/** A short machine-readable kind for `--json` output, one per exit code. */
const kinds: Record<ExitCode, string> = {
  0: 'ok',
  1: 'unexpected',
  2: 'bad-input',
  3: 'not-found',
  4: 'refused',
  5: 'unreachable',
  6: 'stopped',
};

export class CliError extends Error {
  constructor(
    public readonly exitCode: ExitCode,
    message: string,
    /** A stable type for scripts, e.g. the refusal type of the validator (FourEyes, WrongStage, …). */
    public readonly type?: string,
    /** Extra lines for humans: what to do next. */
    public readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }

  get kind(): string {
    return kinds[this.exitCode];
  }
}

export function badInput(message: string, hint?: string): CliError {
  return new CliError(ExitCode.BadInput, message, 'BadInput', hint);
}

/**
 * The one map from the failure types of an Alibaba Cloud call (activities/classify) to exit codes. Alibaba answered,
 * so its refusals are 4 (refused, nothing changed), not 2, which means that nothing was contacted.
 */
const failureExitCodes: Partial<Record<string, ExitCode>> = {
  [FailureType.NotFound]: ExitCode.NotFound,
  [FailureType.AccessDenied]: ExitCode.Refused,
  [FailureType.InvalidInput]: ExitCode.Refused,
  [FailureType.Conflict]: ExitCode.Refused,
  [FailureType.Throttled]: ExitCode.Unreachable,
  [FailureType.Unavailable]: ExitCode.Unreachable,
};

/** A failed Alibaba Cloud call as a CliError; `hints` says what to do next, by failure type. */
export function cloudCallError(
  failure: { type?: string | null; message: string },
  hints: Partial<Record<string, string>> = {},
): CliError {
  const type = failure.type ?? FailureType.Unexpected;
  return new CliError(failureExitCodes[type] ?? ExitCode.Unexpected, failure.message, type, hints[type]);
}
