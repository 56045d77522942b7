import { type FastifyInstance } from 'fastify';
import { problemResponses } from '../problems';
import { ACCOUNT_ID_PATTERN, ramName, text } from '../schemas';
import { type Services } from '../services';
import { undoFor } from '../temporal/undo';

/**
 * `POST /v1/runs/offboard/{account}/user/{name}/undo`: an admin asks to undo a Completed offboarding while RAM's
 * recycle bin still holds the user. 201 once the undo waits for a second admin's `approve-undo` (on the undo run,
 * `/v1/runs/undo/{account}/user/{name}/approve-undo`); 409 with the run's reason when the undo is impossible (not
 * completed, purged — with the date —, a live user under the name). Roles have no recycle bin: the path takes users.
 */
const startedUndo = {
  type: 'object',
  required: ['workflowId', 'runId', 'joined'],
  additionalProperties: false,
  properties: {
    workflowId: { type: 'string', description: 'the undo run: undo/<account>/user/<name>' },
    runId: { type: 'string' },
    joined: { type: 'boolean', description: 'an undo of this user was already open: nothing new was started' },
    stage: { type: 'string' },
    details: { type: 'string', description: 'what the undo waits for (the second admin, until the purge date)' },
  },
} as const;

export function undoRoutes(services: Services) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.post<{ Params: { account: string; name: string }; Body: { reason: string } }>(
      '/v1/runs/offboard/:account/user/:name/undo',
      {
        config: { action: 'undo' },
        schema: {
          summary:
            "Undo a Completed offboarding: restore the user from RAM's recycle bin once a second admin approves (admin)",
          tags: ['runs'],
          params: {
            type: 'object',
            required: ['account', 'name'],
            additionalProperties: false,
            properties: {
              account: {
                type: 'string',
                pattern: ACCOUNT_ID_PATTERN,
                description: 'must be the 16-digit Alibaba Cloud account id',
              },
              name: ramName,
            },
          },
          body: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: text } },
          response: { 201: startedUndo, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 503) },
        },
      },
      async (request, reply) => {
        const { account, name } = request.params;
        const started = await undoFor(
          services,
          `offboard/${account}/user/${name}`,
          request.body.reason,
          request.person!,
        );
        return reply.code(201).send(started);
      },
    );
  };
}
