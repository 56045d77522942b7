import { randomBytes } from 'node:crypto';
import { type FastifyInstance, type FastifyRequest } from 'fastify';
import {
  type BatchRow,
  batchRowsOfCsv,
  batchRowsRule,
  DEFAULT_BATCH_CONCURRENCY,
  MAX_BATCH_ROWS,
  newBatchId,
} from '../../common/batch';
import { identityRef, isValidRamName } from '../../common/validation';
import { badInput, problemResponses, schemaProblems } from '../problems';
import {
  batchApproved,
  batchId,
  batchStarted,
  batchStartJson,
  batchStartQuery,
  concurrency,
  offboardingRequest,
  text,
} from '../schemas';
import { type Services } from '../services';
import { approveBatch, startBatch } from '../temporal/batch';
import { intakeHoldFor } from '../temporal/intake-hold';

/**
 * The bulk intake's routes. `POST /v1/offboardings/batch` (hr) takes rows as JSON or a CSV file (text/csv, a header
 * line first) and answers each row: started, joined or refused with its line and the field and rule it broke.
 * `POST /v1/batches/{batchId}/approve` (admin) approves every run of a batch that waits for approval, one signed
 * decision per run, and answers each run: approved, refused by the run (with its reason) or not waiting.
 */

/**
 * A batch's body may be larger than a single request's (OFFBOARD_API_BODY_LIMIT): 1,000 rows with a full comment
 * each are about 1.5 MB of JSON.
 */
const BATCH_BODY_LIMIT = 4 * 1024 * 1024;

interface BatchJsonBody {
  rows: Array<Record<string, unknown> & { line?: number }>;
  batchId?: string;
  concurrency?: number;
}

interface BatchQuery {
  batchId?: string;
  concurrency?: number;
}

/** The identity a JSON row names, as `user/<name>`, or as written when it names none. */
function targetOf(body: Record<string, unknown>): string {
  const t = body.target as { type?: unknown; name?: unknown } | undefined;
  if (t && (t.type === 'user' || t.type === 'role') && isValidRamName(t.name)) return identityRef(t.type, t.name);
  return typeof t === 'object' ? JSON.stringify(t) : String(t ?? '');
}

/** The rows of the request, each with its line: from the CSV, or from the JSON rows. */
function rowsOf(request: FastifyRequest<{ Body: BatchJsonBody | string }>): BatchRow[] {
  if (typeof request.body === 'string') {
    const csv = batchRowsOfCsv(request.body);
    if (csv.problems) throw badInput(csv.problems);
    if (csv.rows.length === 0 || csv.rows.length > MAX_BATCH_ROWS)
      throw badInput([{ field: 'csv', rule: batchRowsRule }]);
    return csv.rows;
  }
  return request.body.rows.map(({ line, ...body }, i) => ({ line: line ?? i + 1, target: targetOf(body), body }));
}

export function batchRoutes(services: Services) {
  const { batchHold, accountId, temporal } = services.config;
  // One hold for every bulk request of this process: two batches at once share the bound.
  const hold =
    batchHold &&
    intakeHoldFor(() => services.temporal.client(), temporal, accountId, {
      limit: batchHold.inFlight,
      maxWaitMs: batchHold.maxWaitMs,
    });
  return async function routes(app: FastifyInstance): Promise<void> {
    app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: BATCH_BODY_LIMIT }, (_request, body, done) =>
      done(null, body),
    );

    app.post<{ Body: BatchJsonBody | string; Querystring: BatchQuery }>(
      '/v1/offboardings/batch',
      {
        config: { action: 'startOffboarding' },
        bodyLimit: Math.max(BATCH_BODY_LIMIT, services.config.bodyLimit),
        schema: {
          summary: 'Start many offboardings at once, from JSON rows or a CSV file (hr)',
          description:
            'Each row is the body of POST /v1/offboardings; a CSV has a header line with those names as columns ' +
            '(target as user/<name> or role/<name>, clusterIds separated by spaces). Every row is checked first; ' +
            'a bad row is refused with its line and rule, the others start, a bounded number at once. The batch id ' +
            '(made when not given) is recorded on each run started (OffboardingBatch). With OFFBOARD_BATCH_IN_FLIGHT ' +
            "set, each start waits while that many of the account's runs are on their way to the approval; the " +
            'request waits for room at most OFFBOARD_BATCH_HOLD_LIMIT, and the rows still waiting then are refused ' +
            '(intake-held), none of them started.',
          tags: ['runs'],
          querystring: batchStartQuery,
          body: {
            content: {
              'application/json': { schema: batchStartJson },
              'text/csv': { schema: { type: 'string', description: 'must be CSV text with a header line' } },
            },
          },
          response: { 200: batchStarted, ...problemResponses(400, 401, 403, 413, 415) },
        },
      },
      async (request) => {
        const body: BatchQuery = typeof request.body === 'string' ? {} : request.body;
        for (const key of ['batchId', 'concurrency'] as const) {
          if (body[key] !== undefined && request.query[key] !== undefined && body[key] !== request.query[key]) {
            throw badInput([{ field: key, rule: 'must be the same in the query and the body when given in both' }]);
          }
        }
        const rows = rowsOf(request);
        // Each row's shape by the single start's own schema, with the API's validation settings.
        const validate = request.compileValidationSchema(offboardingRequest);
        for (const row of rows) {
          if (row.problems || !row.body || validate(row.body)) continue;
          row.problems = schemaProblems(validate.errors ?? []);
        }
        return startBatch(services, rows, request.person!, {
          batchId: body.batchId ?? request.query.batchId ?? newBatchId(new Date(), randomBytes(6).toString('hex')),
          concurrency: body.concurrency ?? request.query.concurrency ?? DEFAULT_BATCH_CONCURRENCY,
          hold,
        });
      },
    );

    app.post<{ Params: { batchId: string }; Body: { comment?: string; concurrency?: number } }>(
      '/v1/batches/:batchId/approve',
      {
        config: { action: 'approveDeletion' },
        preValidation: async (request) => {
          request.body ??= {};
        },
        schema: {
          summary: 'Approve the deletion of every run of a batch that waits for approval (admin)',
          description:
            'One signed decision per run, checked by the run as any approval is (four eyes, not the target): a run ' +
            'that refuses is reported with its reason, a run in another stage as not waiting.',
          tags: ['decisions'],
          params: {
            type: 'object',
            required: ['batchId'],
            additionalProperties: false,
            properties: { batchId },
          },
          body: { type: 'object', additionalProperties: false, properties: { comment: text, concurrency } },
          response: { 200: batchApproved, ...problemResponses(400, 401, 403, 404, 413, 415, 503) },
        },
      },
      async (request) =>
        approveBatch(
          services,
          request.params.batchId,
          request.body.comment,
          request.person!,
          request.body.concurrency ?? DEFAULT_BATCH_CONCURRENCY,
        ),
    );
  };
}
