import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { offboardWorkflowId } from '../../common/ids';
import { type HrIntegration } from '../../config/hr-intake';
import { badInput, Problem, problemResponses, ProblemType } from '../problems';
import { document } from '../schemas';
import { type Services } from '../services';
import { type Person } from '../signer';
import { decideOnRun } from '../temporal/decide';
import { planFor } from '../temporal/plan';
import { offboardFor } from '../temporal/start';
import { readHrEvent } from './event';
import { SeenWebhookIds } from './seen-ids';

/**
 * `POST /v1/hr-events`: HR systems start offboardings by webhook, signed per Standard Webhooks (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`; verified with the `standardwebhooks` library against each integration's
 * secrets, so a secret rotates by listing the new one next to the old). In order, before anything changes: the
 * headers are there (400), the timestamp is within the tolerance (401: stale or from the future), a secret verifies
 * the signature (401), the body is JSON (400), the id was not taken before (409), the event is well-formed (400), the
 * person is known — a RAM user the worker finds, or an email that maps to one (422). A leaver event starts (or joins)
 * the offboarding signed for the integration (`integration:<name>`, role hr); a rehire rescinds the open one. Each
 * refusal is logged with its reason, never with the body.
 */

const HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

function integrationPerson(integration: HrIntegration): Person {
  return { subject: `integration:${integration.name}`, name: `HR integration ${integration.name}`, roles: ['hr'] };
}

/** The integration whose secret verifies this message, if any. */
function verifiedBy(integrations: HrIntegration[], raw: string, headers: Record<string, string>) {
  for (const integration of integrations) {
    for (const secret of integration.secrets) {
      try {
        new Webhook(secret).verify(raw, headers, { jsonParse: false });
        return integration;
      } catch {
        // not this secret
      }
    }
  }
  return undefined;
}

const unauthenticated = (detail: string) => new Problem(401, ProblemType.Unauthenticated, detail);

export function hrIntakeRoutes(services: Services) {
  const { config } = services;
  const intake = config.hrIntake;
  const seen = new SeenWebhookIds(intake.seenIdsPath, intake.toleranceMs);

  return async function routes(app: FastifyInstance): Promise<void> {
    // The signature covers the exact bytes: the body is kept as sent and parsed after verification.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    const refuse = (request: FastifyRequest, problem: Problem, integration?: string): never => {
      request.log.warn(
        { webhookId: request.headers['webhook-id'], integration, status: problem.status, reason: problem.detail },
        'hr event refused',
      );
      throw problem;
    };

    app.post<{ Body: string }>(
      '/v1/hr-events',
      {
        config: { public: true },
        schema: {
          summary: 'An HR system reports a leaver or a rehire (Standard Webhooks signature)',
          description:
            'Body: { "type": "employee.terminated" | "employee.rehired", "data": { "ramUser" or the email field, ' +
            '"lastDay": "YYYY-MM-DD", "reason"?, "ticket"? } }. A leaver starts or joins the offboarding with ' +
            'deleteNotBefore = end of the last day + the grace period; a rehire rescinds it.',
          response: {
            200: document('a joined run, or a rescind'),
            201: document('the offboarding started: { workflowId, runId, joined, stage }'),
            ...problemResponses(400, 401, 404, 409, 413, 415, 422, 503),
          },
        },
      },
      async (request, reply) => {
        const headers: Record<string, string> = {};
        for (const name of HEADERS) {
          const value = request.headers[name];
          if (typeof value !== 'string' || value === '') {
            refuse(request, badInput([{ field: `header ${name}`, rule: 'is required (Standard Webhooks)' }]));
          }
          headers[name] = value as string;
        }
        const timestamp = Number(headers['webhook-timestamp']);
        if (!/^\d{1,12}$/.test(headers['webhook-timestamp'])) {
          refuse(request, badInput([{ field: 'header webhook-timestamp', rule: 'must be seconds since the epoch' }]));
        }
        if (Math.abs(Date.now() - timestamp * 1000) > intake.toleranceMs) {
          refuse(request, unauthenticated('the webhook timestamp is stale (or in the future): refused as a replay'));
        }
        const raw = typeof request.body === 'string' ? request.body : '';
        const integration = verifiedBy(intake.integrations, raw, headers);
        if (!integration) refuse(request, unauthenticated('no HR integration secret verifies the webhook signature'));
        const from = integration!;

        let payload: unknown;
        try {
          payload = JSON.parse(raw);
        } catch {
          refuse(request, badInput([{ field: 'body', rule: 'must be JSON' }]), from.name);
        }
        const read = readHrEvent(payload, from, intake.graceMs);
        if ('problems' in read) {
          const problem = read.unknownPerson
            ? new Problem(422, ProblemType.BadInput, 'the event names a person who maps to no RAM user', {
                errors: read.problems,
              })
            : badInput(read.problems);
          refuse(request, problem, from.name);
        }
        const event = (read as Exclude<typeof read, { problems: unknown }>).event;
        const target = { type: 'user' as const, name: event.ramUser };
        const person = integrationPerson(from);

        if (event.kind === 'leaver') {
          // An unknown person is refused before anything starts: the dry run asks the worker whether the user exists.
          const plan = await planFor(services, target);
          if (!plan.exists && (plan.leftoverKubeconfigs ?? []).length === 0) {
            refuse(
              request,
              new Problem(422, ProblemType.BadInput, `no RAM user ${event.ramUser} in account ${config.accountId}`, {
                errors: [{ field: 'data.ramUser', rule: 'must name an existing RAM user' }],
              }),
              from.name,
            );
          }
        }

        const id = headers['webhook-id'];
        const earlier = seen.claim({ id, timestamp, integration: from.name });
        if (earlier) {
          refuse(
            request,
            new Problem(
              409,
              ProblemType.Refused,
              `webhook ${id} was already taken${earlier.workflowId ? ` (run ${earlier.workflowId})` : ''}: a replay changes nothing`,
              { refusal: 'WebhookReplayed', ...(earlier.workflowId ? { runningWorkflowId: earlier.workflowId } : {}) },
            ),
            from.name,
          );
        }
        try {
          if (event.kind === 'leaver') {
            const started = await offboardFor(
              services,
              {
                target,
                reason: event.reason,
                deleteNotBefore: event.deleteNotBefore,
                ...(event.ticket ? { ticket: event.ticket } : {}),
              },
              person,
            );
            seen.record(id, started.workflowId);
            request.log.info({ webhookId: id, integration: from.name, workflowId: started.workflowId }, 'hr leaver');
            return reply.code(started.joined ? 200 : 201).send({ ...started, deleteNotBefore: event.deleteNotBefore });
          }
          const workflowId = offboardWorkflowId(config.accountId, target);
          const reason = `rehired (HR event ${id}${event.ticket ? `, ticket ${event.ticket}` : ''})`;
          const accepted = await decideOnRun(services, workflowId, 'rescind', { reason }, person);
          seen.record(id, workflowId);
          request.log.info({ webhookId: id, integration: from.name, workflowId }, 'hr rehire rescinds');
          return reply.code(200).send({ workflowId, rescinded: true, ...accepted });
        } catch (err) {
          if (err instanceof Problem && err.status >= 500) seen.release(id);
          if (err instanceof Problem) refuse(request, err, from.name);
          throw err;
        }
      },
    );
  };
}
