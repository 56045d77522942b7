import { type FastifyInstance } from 'fastify';
import { type OffboardReason } from '../../common/validation';
import { type TargetIdentity } from '../../common/types';
import { problemResponses } from '../problems';
import { clusterIds, document, offboardingRequest, reason, startedRun, target, text } from '../schemas';
import { type Services } from '../services';
import { planFor } from '../temporal/plan';
import { offboardFor, revokeFor } from '../temporal/start';

/**
 * Starting runs, signed for the person who asks (`requestedBy` is their subject, never a typed name), and the dry
 * run. A second start for an identity whose run is open joins that run (`joined: true`).
 */

interface OffboardingBody {
  target: TargetIdentity;
  reason: OffboardReason;
  ticket?: string;
  comment?: string;
  clusterIds?: string[];
  deleteNotBefore?: string;
  approvalReminderEvery?: string | number;
  approvalExpiresAfter?: string | number;
  blockedReminderEvery?: string | number;
}

interface RevocationBody {
  target: TargetIdentity;
  reason?: OffboardReason;
  comment?: string;
  clusterIds?: string[];
  force?: boolean;
}

const startErrors = problemResponses(400, 401, 403, 409, 413, 415, 503);

export function startRoutes(services: Services) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.post<{ Body: OffboardingBody }>(
      '/v1/offboardings',
      {
        config: { action: 'startOffboarding' },
        schema: {
          summary: 'Start the offboarding of a RAM user or role (hr)',
          tags: ['runs'],
          body: offboardingRequest,
          response: { 201: startedRun, ...startErrors },
        },
      },
      async (request, reply) => {
        const started = await offboardFor(services, request.body, request.person!);
        return reply.code(201).send(started);
      },
    );

    app.post<{ Body: RevocationBody }>(
      '/v1/revocations',
      {
        config: { action: 'startRevocation' },
        schema: {
          summary: "Revoke an identity's kubeconfigs now: a leaked kubeconfig (security)",
          tags: ['runs'],
          body: {
            type: 'object',
            required: ['target'],
            additionalProperties: false,
            properties: {
              target,
              reason: { ...reason, default: 'compromise' },
              comment: text,
              clusterIds,
              force: { type: 'boolean', description: 'must be true or false' },
            },
          },
          response: { 201: startedRun, ...startErrors },
        },
      },
      async (request, reply) => {
        const { reason: why, ...rest } = request.body;
        const started = await revokeFor(services, { ...rest, reason: why ?? 'compromise' }, request.person!);
        return reply.code(201).send(started);
      },
    );

    app.post<{ Body: { target: TargetIdentity; clusterIds?: string[] } }>(
      '/v1/plans',
      {
        config: { action: 'plan' },
        schema: {
          summary: 'Dry run: what an offboarding would quarantine, revoke and delete (read-only, on the worker)',
          tags: ['runs'],
          body: {
            type: 'object',
            required: ['target'],
            additionalProperties: false,
            properties: { target, clusterIds },
          },
          response: {
            200: document('the plan (common/plan.ts)'),
            ...problemResponses(400, 401, 403, 413, 415, 502, 503),
          },
        },
      },
      async (request) => planFor(services, request.body.target, request.body.clusterIds),
    );
  };
}
