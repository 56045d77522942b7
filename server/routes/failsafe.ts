import { type FastifyInstance } from 'fastify';
import { problemResponses } from '../problems';
import { document, text } from '../schemas';
import { type Services } from '../services';
import { confirmFailsafe, failsafeView } from '../temporal/failsafe';

/**
 * The blast-radius failsafe (common/deletion-failsafe.ts): `GET /v1/failsafe` (read) shows the account's window,
 * limit, pause and the runs it holds; `POST /v1/failsafe/confirm` (admin) sends each paused run its own signed
 * confirmation, which the run checks (a second admin: not its approver, not its requester), then the governor's.
 */
export function failsafeRoutes(services: Services) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get(
      '/v1/failsafe',
      {
        config: { action: 'read' },
        schema: {
          summary: "The account's blast-radius failsafe: deletions in the window, the limit, the pause, the held runs",
          tags: ['decisions'],
          response: {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['accountId', 'governor', 'paused'],
              properties: {
                accountId: { type: 'string' },
                governor: {
                  anyOf: [
                    { type: 'null' },
                    document('count, limit, window, paused, pausedSince, held, lastConfirmation'),
                  ],
                },
                paused: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['workflowId'],
                    properties: { workflowId: { type: 'string' }, target: { type: 'string' } },
                  },
                },
              },
            },
            ...problemResponses(401, 403, 503),
          },
        },
      },
      async () => failsafeView(services),
    );

    app.post<{ Body: { reason: string } }>(
      '/v1/failsafe/confirm',
      {
        config: { action: 'confirmDeletions' },
        schema: {
          summary:
            "Confirm the deletions the blast-radius failsafe paused (a second admin: not a run's approver or requester)",
          description:
            'One signed decision per paused run, checked by the run itself; a run that refuses (you approved or ' +
            'requested it) is reported and stays paused. Then the failsafe starts a new window, unless every run ' +
            'refused you.',
          tags: ['decisions'],
          body: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: text } },
          response: {
            200: document(
              'summary {confirmed, refused, notPaused}, runs [{workflowId, status, refusal, reason}], governor',
            ),
            ...problemResponses(400, 401, 403, 413, 415, 503),
          },
        },
      },
      async (request) => confirmFailsafe(services, request.body.reason, request.person!),
    );
  };
}
