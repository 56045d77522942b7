import { type FastifyInstance } from 'fastify';
import { SweepModes } from '../../common/sweep';
import { problemResponses } from '../problems';
import { clusterIds, document, scheduleEvery, staleAfterDays, sweepMode, text } from '../schemas';
import { type Services } from '../services';
import { lastSweep, startSweepNow, type SweepRequest } from '../temporal/sweep-runs';
import {
  putSweepSchedule,
  type ScheduleRequest,
  setSweepSchedulePaused,
  sweepSchedule,
  triggerSweepSchedule,
} from '../temporal/sweep-schedule';

/**
 * The orphan sweep: start one now (sweep: admin, security), the last report and the running sweep's progress (read),
 * and the account's schedule (scheduleSweep: admin) — create or update (which re-signs the grant), pause, unpause,
 * trigger. Two sweeps of an account never overlap: a start or trigger while one runs is a 409 naming it.
 */

const scheduleView = document('the sweep schedule: every, mode, paused + note, next runs, grant, recent runs');
const scheduleErrors = problemResponses(401, 403, 404, 503);

export function sweepRoutes(services: Services) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.post<{ Body: Partial<SweepRequest> }>(
      '/v1/sweeps',
      {
        config: { action: 'sweep' },
        schema: {
          summary: 'Sweep now: find (dry-run) or revoke kubeconfigs of identities RAM no longer has (admin, security)',
          tags: ['sweeps'],
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              mode: { ...sweepMode(['dry-run', 'revoke']), default: 'dry-run' },
              clusterIds,
              staleAfterDays,
            },
          },
          response: {
            201: {
              type: 'object',
              additionalProperties: false,
              required: ['workflowId', 'runId', 'mode'],
              properties: { workflowId: { type: 'string' }, runId: { type: 'string' }, mode: { type: 'string' } },
            },
            ...problemResponses(400, 401, 403, 409, 413, 415, 503),
          },
        },
      },
      async (request, reply) => {
        const body = request.body ?? {};
        const started = await startSweepNow(services, { ...body, mode: body.mode ?? 'dry-run' }, request.person!);
        return reply.code(201).send(started);
      },
    );

    app.get(
      '/v1/sweeps/last',
      {
        config: { action: 'read' },
        schema: {
          summary: "The newest completed sweep's report (common/sweep.ts SweepReport) and the running sweep's progress",
          tags: ['sweeps'],
          response: {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['accountId', 'report', 'running'],
              properties: {
                accountId: { type: 'string' },
                report: { anyOf: [{ type: 'null' }, document('the report of the newest completed sweep')] },
                running: { anyOf: [{ type: 'null' }, document('the running sweep and its sweepProgress')] },
              },
            },
            ...problemResponses(401, 403, 503),
          },
        },
      },
      async () => lastSweep(services),
    );

    app.get(
      '/v1/sweeps/schedule',
      {
        config: { action: 'read' },
        schema: {
          summary: "The account's sweep schedule: every, mode, paused + note, next runs, the grant, recent runs",
          tags: ['sweeps'],
          response: { 200: scheduleView, ...scheduleErrors },
        },
      },
      async () => sweepSchedule(services),
    );

    app.put<{ Body: ScheduleRequest }>(
      '/v1/sweeps/schedule',
      {
        config: { action: 'scheduleSweep' },
        schema: {
          summary:
            'Create or update the sweep schedule (admin): signs a fresh grant for you, so an update is also the renewal',
          tags: ['sweeps'],
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { every: scheduleEvery, mode: sweepMode(SweepModes) },
          },
          response: { 200: scheduleView, 201: scheduleView, ...problemResponses(400, 401, 403, 413, 415, 503) },
        },
      },
      async (request, reply) => {
        const view = await putSweepSchedule(services, request.body ?? {}, request.person!);
        return reply.code(view.created ? 201 : 200).send(view);
      },
    );

    for (const paused of [true, false]) {
      app.post<{ Body: { note?: string } }>(
        `/v1/sweeps/schedule/${paused ? 'pause' : 'unpause'}`,
        {
          config: { action: 'scheduleSweep' },
          schema: {
            summary: `${paused ? 'Pause' : 'Unpause'} the sweep schedule (admin); the note names you`,
            tags: ['sweeps'],
            body: { type: 'object', additionalProperties: false, properties: { note: text } },
            response: { 200: scheduleView, ...problemResponses(400, 401, 403, 404, 503) },
          },
        },
        async (request) => setSweepSchedulePaused(services, paused, request.person!, request.body?.note),
      );
    }

    app.post(
      '/v1/sweeps/schedule/trigger',
      {
        config: { action: 'scheduleSweep' },
        schema: {
          summary: "Run the schedule's sweep now (admin); refused while a sweep of the account runs",
          tags: ['sweeps'],
          response: {
            202: {
              type: 'object',
              additionalProperties: false,
              required: ['scheduleId'],
              properties: { scheduleId: { type: 'string' }, workflowId: { type: 'string' } },
            },
            ...problemResponses(401, 403, 404, 409, 503),
          },
        },
      },
      async (_request, reply) => reply.code(202).send(await triggerSweepSchedule(services)),
    );
  };
}
