import { type FastifyInstance } from 'fastify';
import { type IdentityType } from '../../common/validation';
import { badInput, problemResponses } from '../problems';
import { actor, document, ramName, type RunParams, runParams, stage, workflowIdOf } from '../schemas';
import { type Services } from '../services';
import { auditRecord } from '../temporal/audit';
import { listRuns } from '../temporal/list';
import { failureOf, findRunOf, readRun } from '../temporal/runs';

/** Reading runs: the list (Temporal visibility), a lookup by identity, a run's status and its audit trail. */

interface ListQuery {
  stage?: string;
  requestedBy?: string;
  user?: string;
  role?: string;
  open?: 'true' | 'false';
  allAccounts?: 'true' | 'false';
  limit?: string;
}

const flag = { type: 'string', enum: ['true', 'false'], description: 'must be true or false' } as const;

/** `?user=NAME` or `?role=NAME`, not both. */
function targetOf(query: { user?: string; role?: string }): { type: IdentityType; name: string } | undefined {
  if (query.user !== undefined && query.role !== undefined) {
    throw badInput([{ field: 'querystring.user', rule: 'give either user or role, not both' }]);
  }
  if (query.user !== undefined) return { type: 'user', name: query.user };
  if (query.role !== undefined) return { type: 'role', name: query.role };
  return undefined;
}

const runRow = {
  type: 'object',
  additionalProperties: false,
  required: ['workflowId', 'workflow', 'execution', 'startTime'],
  properties: {
    workflowId: { type: 'string' },
    workflow: { type: 'string' },
    stage: { type: 'string' },
    target: { type: 'string' },
    uid: { type: 'string' },
    requestedBy: { type: 'string' },
    reason: { type: 'string' },
    execution: { type: 'string' },
    startTime: { type: 'string' },
    closeTime: { type: 'string' },
  },
} as const;

export function runRoutes(services: Services) {
  const { config } = services;

  return async function routes(app: FastifyInstance): Promise<void> {
    app.get<{ Querystring: ListQuery }>(
      '/v1/runs',
      {
        config: { action: 'read' },
        schema: {
          summary: 'Runs from Temporal visibility, newest first',
          tags: ['runs'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              stage,
              requestedBy: actor,
              user: ramName,
              role: ramName,
              open: flag,
              allAccounts: flag,
              limit: {
                type: 'string',
                pattern: '^(1000|[1-9][0-9]{0,2})$',
                description: 'must be a whole number from 1 to 1000',
              },
            },
          },
          response: {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['query', 'runs'],
              properties: { query: { type: 'string' }, runs: { type: 'array', items: runRow } },
            },
            ...problemResponses(400, 401, 403, 503),
          },
        },
      },
      async (request) => {
        const q = request.query;
        return listRuns(await services.temporal.client(), config.temporal, {
          accountId: q.allAccounts === 'true' ? undefined : config.accountId,
          stage: q.stage,
          requestedBy: q.requestedBy,
          target: targetOf(q),
          open: q.open === 'true',
          limit: Number(q.limit ?? 50),
        });
      },
    );

    app.get<{ Querystring: { user?: string; role?: string } }>(
      '/v1/runs/lookup',
      {
        config: { action: 'read' },
        schema: {
          summary:
            'The run of an identity: its open offboarding or revocation (else the latest); 409 when two are open',
          tags: ['runs'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { user: ramName, role: ramName },
          },
          response: {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['workflowId'],
              properties: { workflowId: { type: 'string' } },
            },
            ...problemResponses(400, 401, 403, 404, 409, 503),
          },
        },
      },
      async (request) => {
        const target = targetOf(request.query);
        if (!target) throw badInput([{ field: 'querystring.user', rule: 'give user or role' }]);
        const run = await findRunOf(await services.temporal.client(), config.temporal, config.accountId, target);
        return { workflowId: run.workflowId };
      },
    );

    const runDocument = async (params: RunParams) =>
      readRun(await services.temporal.client(), config.temporal, workflowIdOf(params));

    app.get<{ Params: RunParams }>(
      '/v1/runs/:kind/:account/:type/:name',
      {
        config: { action: 'read' },
        schema: {
          summary: "A run's status: stage, what it waits for, findings, decisions and audit trail",
          tags: ['runs'],
          params: runParams,
          response: {
            200: document('the run status (common/types.ts RunStatus) with its execution'),
            ...problemResponses(400, 401, 403, 404, 503),
          },
        },
      },
      async (request) => {
        const { run, status } = await runDocument(request.params);
        return {
          workflowId: run.workflowId,
          runId: run.info.runId,
          execution: {
            status: run.info.status.name,
            taskQueue: run.info.taskQueue,
            startTime: run.info.startTime.toISOString(),
            closeTime: run.info.closeTime?.toISOString(),
            // A run that failed: why (its failure type and message), so a client following it can say so.
            failure: await failureOf(run),
          },
          ...status,
        };
      },
    );

    app.get<{ Params: RunParams }>(
      '/v1/runs/:kind/:account/:type/:name/audit',
      {
        config: { action: 'read' },
        schema: {
          summary:
            "A run's audit record: its decisions, each with the signed token that proves who decided, and its audit trail",
          tags: ['runs'],
          params: runParams,
          response: { 200: document('the audit record'), ...problemResponses(400, 401, 403, 404, 503) },
        },
      },
      async (request) => {
        const { run, status } = await runDocument(request.params);
        return auditRecord(config, run, status);
      },
    );
  };
}
