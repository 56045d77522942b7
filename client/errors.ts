import { FailureType } from '../common/errors';

/**
 * Exit codes and the one error type of the CLI, and the one map onto them of what can fail: an answer of the
 * offboarding API (an RFC 9457 problem, by HTTP status), the API not answering, and an Alibaba Cloud call (revoke-own
 * only). Every failure becomes a CliError with an exit code and a message written for the person at the terminal;
 * `offboard --help` documents the codes.
 */
export const ExitCode = {
  Ok: 0,
  /** A bug or an answer the CLI did not expect. */
  Unexpected: 1,
  /** A flag, argument or variable breaks a rule; nothing was changed. */
  BadInput: 2,
  /** No such run (or identity, or cluster). */
  NotFound: 3,
  /** Not signed in, a role missing, or the run (or Alibaba Cloud) refused the request; nothing changed. */
  Refused: 4,
  /** The API (or Temporal or the worker behind it, or Alibaba Cloud) could not be reached in time. */
  Unreachable: 5,
  /** The run stopped short of what the command waits for: it is Blocked, or waits for a human decision. */
  Stopped: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeHelp = `Exit codes:
  0  ok
  1  unexpected error (a bug, or an answer the CLI did not expect)
  2  bad input: a flag, argument or variable breaks a rule, or the run found its input wrong (a cluster that does
     not exist); nothing was changed
  3  not found: no such run, identity or cluster
  4  refused: not signed in (offboard login), a role missing, the run (or Alibaba Cloud) said no, or another run of
     the identity is open; nothing changed. audit --verify: the file does not verify
  5  unreachable: the API, or Temporal, its worker or Alibaba Cloud behind it, did not answer
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
    /** A stable type for scripts, e.g. the run's refusal type (FourEyes, WrongStage, …) or Unauthenticated. */
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

/** What the CLI says to someone who must sign in (first, again, or to this API). */
export const signInHint = 'sign in: offboard login';

/** An RFC 9457 problem as the API sends it (server/problems.ts). */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Array<{ field: string; rule: string }>;
  /** The run's refusal type (409). */
  refusal?: string;
  /** The role the action needs (403). */
  missingRole?: string;
  /** A start refused because another run of the identity is open (409 RunScopeConflict): that run. */
  runningWorkflowId?: string;
}

/** How a failed call is told: the API's URL, who sent the token, and the flag each field of a body comes from. */
export interface CallContext {
  apiUrl: string;
  /** Where the bearer token came from: OFFBOARD_TOKEN, or the session of `offboard login`. */
  tokenSource?: 'OFFBOARD_TOKEN' | 'session';
  /** The flag (or argument) that set a field of the request, for messages about bad input. */
  flagOf?: (field: string) => string;
}

/** The exit code of each HTTP status the API answers with; any other 4xx is a bug of the CLI, any 5xx is 5. */
const httpExitCodes: Partial<Record<number, ExitCode>> = {
  400: ExitCode.BadInput,
  401: ExitCode.Refused,
  403: ExitCode.Refused,
  404: ExitCode.NotFound,
  409: ExitCode.Refused,
  413: ExitCode.BadInput,
};

/** `urn:acs-offboarding:problem:no-worker` → `NoWorker`: the problem's type, as scripts see it in `--json`. */
function typeName(problem: Problem): string {
  const name = problem.type?.split(':').pop() ?? 'unknown';
  return name.replace(/(^|-)([a-z])/g, (_m, _dash: string, c: string) => c.toUpperCase());
}

function unreachableHint(apiUrl: string): string {
  return (
    `The offboarding API is ${apiUrl} (set OFFBOARD_API_URL to point the CLI at another one). ` +
    'Locally, npm start runs the whole stack (npm run server only the API).'
  );
}

/** An answer of the API other than 2xx, as a CliError: its exit code, the problem's detail and type, and a hint. */
export function problemError(status: number, problem: Problem, call: CallContext): CliError {
  const detail = problem.detail ?? problem.title ?? `HTTP ${status}`;
  if (status >= 500) {
    return new CliError(
      ExitCode.Unreachable,
      `${detail} (the offboarding API at ${call.apiUrl})`,
      typeName(problem),
      unreachableHint(call.apiUrl),
    );
  }
  const exitCode = httpExitCodes[status] ?? ExitCode.Unexpected;
  if (status === 400 && problem.errors?.length) {
    const lines = problem.errors.map((e) => `${call.flagOf ? call.flagOf(e.field) : e.field}: ${e.rule}`);
    return badInput(lines.length === 1 ? lines[0] : `invalid input:\n  ${lines.join('\n  ')}`);
  }
  if (status === 401) {
    const hint =
      call.tokenSource === 'OFFBOARD_TOKEN'
        ? `OFFBOARD_TOKEN was refused: give a fresh access token, or unset it and ${signInHint}`
        : signInHint;
    return new CliError(exitCode, detail, 'Unauthenticated', hint);
  }
  if (status === 403) {
    const hint = problem.missingRole
      ? `This needs the role ${problem.missingRole}: ask for it at your identity provider, or ask someone who has it.`
      : undefined;
    return new CliError(exitCode, detail, 'Forbidden', hint);
  }
  if (status === 409 && problem.runningWorkflowId) {
    return new CliError(
      exitCode,
      `${detail} (running: ${problem.runningWorkflowId})`,
      problem.refusal ?? typeName(problem),
      `Follow it: offboard status ${problem.runningWorkflowId}; start again once it has ended.`,
    );
  }
  return new CliError(exitCode, detail, problem.refusal ?? typeName(problem));
}

/** The API did not answer at all (refused connection, a name that does not resolve, no answer in time). */
export function apiUnreachable(apiUrl: string, why: string): CliError {
  return new CliError(
    ExitCode.Unreachable,
    `cannot reach the offboarding API at ${apiUrl} (OFFBOARD_API_URL): ${why}`,
    'ApiUnreachable',
    unreachableHint(apiUrl),
  );
}

/**
 * The one map from the failure types of an Alibaba Cloud call (activities/classify) to exit codes. Alibaba answered,
 * so its refusals are 4 (refused, nothing changed), not 2, which means that the input broke a rule.
 */
const failureExitCodes: Partial<Record<string, ExitCode>> = {
  [FailureType.NotFound]: ExitCode.NotFound,
  [FailureType.AccessDenied]: ExitCode.Refused,
  [FailureType.InvalidInput]: ExitCode.Refused,
  [FailureType.Conflict]: ExitCode.Refused,
  [FailureType.Throttled]: ExitCode.Unreachable,
  [FailureType.Unavailable]: ExitCode.Unreachable,
};

/**
 * The exit code of a run that failed (the workflow's own failure type): its input broke a rule the run could check
 * only against the cloud (a cluster that does not exist) is bad input, as if the API had refused it.
 */
const runFailureExitCodes: Partial<Record<string, ExitCode>> = {
  ...failureExitCodes,
  [FailureType.InvalidInput]: ExitCode.BadInput,
};

/** A run that ended failed, as a CliError: its failure type and message, and the run to look at. */
export function runFailedError(workflowId: string, failure: { type?: string; message: string }): CliError {
  const type = failure.type ?? FailureType.Unexpected;
  return new CliError(
    runFailureExitCodes[type] ?? ExitCode.Unexpected,
    `the run ${workflowId} failed (${type}): ${failure.message}`,
    type,
    `Its audit trail: offboard audit ${workflowId}`,
  );
}

/** A failed Alibaba Cloud call as a CliError; `hints` says what to do next, by failure type. */
export function cloudCallError(
  failure: { type?: string | null; message: string },
  hints: Partial<Record<string, string>> = {},
): CliError {
  const type = failure.type ?? FailureType.Unexpected;
  return new CliError(failureExitCodes[type] ?? ExitCode.Unexpected, failure.message, type, hints[type]);
}
