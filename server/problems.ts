import { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { type InputProblem } from '../common/errors';

/**
 * Errors as `application/problem+json` (RFC 9457). Every refusal of the API is a Problem: a stable `type` that
 * clients branch on, the HTTP status, a `detail` written for the person, and, where it applies, the fields and rules
 * that were broken (`errors`), the run's own refusal type (`refusal`), or the role that is missing (`missingRole`).
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem types, by name; the URI of each is `urn:acs-offboarding:problem:<name>`. */
export const ProblemType = {
  /** A field breaks a rule (400); `errors` names each field and its rule. Nothing was sent to Temporal. */
  BadInput: 'bad-input',
  /** No token or session, or one that is expired, malformed, or from another issuer or audience (401). */
  Unauthenticated: 'unauthenticated',
  /** The person lacks a role the action needs (403); `missingRole` names it. */
  Forbidden: 'forbidden',
  /** No such run (404). */
  NotFound: 'not-found',
  /** The run refused the decision (409); `refusal` is its refusal type (WrongStage, FourEyes, TokenReplayed, …). */
  Refused: 'refused',
  /** Two open runs match the identity (409): name the run by its id. */
  Ambiguous: 'ambiguous',
  /** The body is larger than the limit (413). */
  TooLarge: 'too-large',
  /** The body is not JSON (415). */
  UnsupportedMediaType: 'unsupported-media-type',
  /** Temporal cannot be reached (503). */
  TemporalUnavailable: 'temporal-unavailable',
  /** Temporal answered, but no worker did within the deadline (503). */
  NoWorker: 'no-worker',
  /** A bulk start waited for room under OFFBOARD_BATCH_IN_FLIGHT longer than its limit; nothing started (503). */
  IntakeHeld: 'intake-held',
  /** The worker could not read what a plan needs from Alibaba Cloud (502). */
  UpstreamFailed: 'upstream-failed',
  /** The identity provider cannot be reached (503). */
  IdpUnavailable: 'idp-unavailable',
  /** A bug, or an answer the API did not expect (500). */
  Internal: 'internal',
} as const;
export type ProblemType = (typeof ProblemType)[keyof typeof ProblemType];

const titles: Record<ProblemType, string> = {
  'bad-input': 'Bad input',
  unauthenticated: 'Not signed in',
  forbidden: 'Missing role',
  'not-found': 'No such run',
  refused: 'Refused by the run',
  ambiguous: 'More than one run matches',
  'too-large': 'Body too large',
  'unsupported-media-type': 'Unsupported media type',
  'temporal-unavailable': 'Temporal unavailable',
  'no-worker': 'No worker answered',
  'intake-held': 'Start held back',
  'upstream-failed': 'Alibaba Cloud refused or failed',
  'idp-unavailable': 'Identity provider unavailable',
  internal: 'Internal error',
};

export function problemTypeUri(type: ProblemType): string {
  return `urn:acs-offboarding:problem:${type}`;
}

/** A refusal with its HTTP status; the error handler writes it as problem+json. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly type: ProblemType,
    readonly detail: string,
    readonly extra: {
      errors?: InputProblem[];
      refusal?: string;
      missingRole?: string;
      runningWorkflowId?: string;
    } = {},
  ) {
    super(detail);
    this.name = 'Problem';
  }

  body(instance: string) {
    return {
      type: problemTypeUri(this.type),
      title: titles[this.type],
      status: this.status,
      detail: this.detail,
      instance,
      ...this.extra,
    };
  }
}

export const badInput = (errors: InputProblem[]) =>
  new Problem(400, ProblemType.BadInput, errors.map((e) => `${e.field}: ${e.rule}`).join('; '), { errors });
export const unauthenticated = (detail: string) => new Problem(401, ProblemType.Unauthenticated, detail);
export const notFound = (detail: string) => new Problem(404, ProblemType.NotFound, detail);
export const refusedByRun = (refusal: string, detail: string) =>
  new Problem(409, ProblemType.Refused, detail, { refusal });

/** The JSON schema of every problem response (the OpenAPI document lists it under each route's error statuses). */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'An RFC 9457 problem',
  required: ['type', 'title', 'status', 'detail'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', description: 'urn:acs-offboarding:problem:<name>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'rule'],
        additionalProperties: false,
        properties: { field: { type: 'string' }, rule: { type: 'string' } },
      },
    },
    refusal: { type: 'string', description: "the run's refusal type, e.g. FourEyes, WrongStage, TokenReplayed" },
    missingRole: { type: 'string', description: 'the role (or roles, "admin or oncall") the action needs' },
    runningWorkflowId: {
      type: 'string',
      description: 'a start refused because a run of another scope is open for the identity: that run',
    },
  },
} as const;

/** Problem responses for a route's schema, by status, described in the OpenAPI document. */
export function problemResponses(...statuses: number[]): Record<number, unknown> {
  const descriptions: Record<number, string> = {
    400: 'bad input: each field and its rule',
    401: 'no token or session, or an expired or foreign one',
    403: 'a role is missing',
    404: 'no such run',
    409: 'refused by the run (or two open runs match)',
    413: 'body too large',
    415: 'not JSON',
    502: 'the worker could not read from Alibaba Cloud',
    503: 'Temporal, its worker or the identity provider unavailable',
  };
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: descriptions[s], content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: 'Problem#' } } } },
    ]),
  );
}

/** A Fastify validation error as the fields and rules it broke; the rule is the schema's own description. */
function validationProblems(error: FastifyError): InputProblem[] {
  return schemaProblems(
    error.validation ?? [],
    error.validationContext === 'body' ? '' : `${error.validationContext}.`,
  );
}

/**
 * The errors of a schema validation (a route's, or one compiled with `request.compileValidationSchema`) as fields and
 * rules, each field prefixed with `where`.
 */
export function schemaProblems(errors: NonNullable<FastifyError['validation']>, where = ''): InputProblem[] {
  return errors.map((v) => {
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const params = v.params as { additionalProperty?: string; missingProperty?: string };
    if (v.keyword === 'additionalProperties') {
      return {
        field: `${where}${[path, params.additionalProperty].filter(Boolean).join('.')}`,
        rule: 'is not a known field',
      };
    }
    if (v.keyword === 'required') {
      return { field: `${where}${[path, params.missingProperty].filter(Boolean).join('.')}`, rule: 'is required' };
    }
    // ajv adds the failing schema to each error with `verbose: true` (set in app.ts).
    const description = (v as { parentSchema?: { description?: string } }).parentSchema?.description;
    return { field: `${where}${path}` || where.replace(/\.$/, ''), rule: description ?? v.message ?? 'is invalid' };
  });
}

/** Turns whatever a route threw into a problem; internal errors are logged and answered without their details. */
export function toProblem(error: unknown, request: FastifyRequest): Problem {
  if (error instanceof Problem) return error;
  const e = error as FastifyError;
  if (e.validation) return badInput(validationProblems(e));
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Problem(413, ProblemType.TooLarge, e.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new Problem(415, ProblemType.UnsupportedMediaType, 'the body must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return badInput([{ field: 'body', rule: 'must be a JSON object' }]);
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return badInput([{ field: 'request', rule: e.message }]);
  }
  request.log.error({ err: error }, 'unexpected error');
  return new Problem(500, ProblemType.Internal, 'an unexpected error; the server log has the details');
}

export function sendProblem(reply: FastifyReply, problem: Problem, instance: string): FastifyReply {
  if (problem.status === 401) reply.header('www-authenticate', 'Bearer realm="offboarding-api"');
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem.body(instance));
}
