import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type {} from '@fastify/secure-session';
import { CONSOLE_RUNS_PATH, runPagePath } from '../../common/console-links';
import { decisionAction, type MessageName } from '../../common/messages';
import { Problem } from '../problems';
import { type DecisionRoute, decisionRoutesByName } from '../routes/decisions';
import { type RunParams, runParams, workflowIdOf } from '../schemas';
import { type Services } from '../services';
import { decideOnRun } from '../temporal/decide';
import { planFor } from '../temporal/plan';
import { offboardFor, revokeFor, type StartedRun } from '../temporal/start';
import {
  decisionBodyOf,
  fieldErrors,
  type FormBody,
  offboardingRequestOf,
  revocationRequestOf,
  valuesOf,
} from './forms';
import { page, requireRole, sendStartForm } from './pages';
import { sendPage } from './render';
import { sendRunPage } from './run-page';

/**
 * The console's forms (POST), each behind the CSRF check: decisions on a run, the start form with its dry run, the
 * leak response. Each goes through the server function the JSON API's route uses (decideOnRun, planFor, offboardFor,
 * revokeFor), so the run verifies the same signed decision or request. After a change the browser is sent to the
 * run's page (post, redirect, get); a refusal is shown on the page the person was on, and nothing changed.
 */

const DONE: Record<MessageName, string> = {
  approveDeletion: 'You approved the deletion.',
  rejectDeletion: 'You rejected the deletion.',
  resolveDependencies: 'Your dependency decision was sent.',
  rescind: 'You rescinded the offboarding.',
  retry: 'The run retries the step.',
  abort: 'You aborted the run.',
  approveUndo: 'You approved the undo: the run restores the user.',
  rejectUndo: 'You rejected the undo.',
  confirmDeletions: 'You confirmed the deletion: the blast-radius failsafe lets this run go on.',
};

function startedNotice(started: StartedRun, what: string): string {
  return started.joined
    ? `A run for this identity was already open: your request joined it (stage ${started.stage ?? 'unknown'}).`
    : `${what} started.`;
}

export function actionRoutes(services: Services) {
  const graceMs = services.config.hrIntake.graceMs;

  return async function routes(app: FastifyInstance): Promise<void> {
    const form = { ...page, preHandler: app.csrfProtection } as const;

    for (const route of Object.values(decisionRoutesByName) as DecisionRoute<MessageName>[]) {
      app.post<{ Params: RunParams; Body: FormBody }>(
        `${CONSOLE_RUNS_PATH}/:kind/:account/:type/:name/${route.path}`,
        { ...form, schema: { ...page.schema, params: runParams } },
        async (request, reply) => {
          requireRole(request, decisionAction[route.message]);
          const workflowId = workflowIdOf(request.params);
          try {
            const body = decisionBodyOf(route.message, request.body);
            await decideOnRun(services, workflowId, route.message, route.args(body), request.person!);
          } catch (err) {
            if (err instanceof Problem && (err.status === 400 || err.status === 409)) {
              request.log.warn({ workflowId, decision: route.message, refusal: err.extra.refusal }, err.detail);
              return sendRunPage(services, request, reply, workflowId, err);
            }
            throw err;
          }
          request.session.set('flash', DONE[route.message]);
          return reply.redirect(runPagePath(workflowId), 303);
        },
      );
    }

    /** The start form's problems shown on the form, with what was typed. */
    const refusedStart = (request: FastifyRequest, reply: FastifyReply, err: unknown) => {
      if (!(err instanceof Problem) || (err.status !== 400 && err.status !== 409)) throw err;
      return sendStartForm(
        services,
        request,
        reply,
        {
          values: valuesOf(request.body as FormBody),
          fieldErrors: fieldErrors(err.extra.errors ?? []),
          problem: err.detail,
        },
        err.status,
      );
    };

    app.post<{ Body: FormBody }>('/console/start/plan', form, async (request, reply) => {
      requireRole(request, 'startOffboarding');
      const values = valuesOf(request.body);
      try {
        const offboarding = offboardingRequestOf(values, graceMs);
        const plan = await planFor(services, offboarding.target, offboarding.clusterIds);
        return sendPage(
          request,
          reply,
          'plan',
          { title: 'Plan', current: '/console/start' },
          { plan, values, deleteNotBefore: offboarding.deleteNotBefore },
        );
      } catch (err) {
        return refusedStart(request, reply, err);
      }
    });

    app.post<{ Body: FormBody }>('/console/start', form, async (request, reply) => {
      requireRole(request, 'startOffboarding');
      let started: StartedRun;
      try {
        started = await offboardFor(services, offboardingRequestOf(valuesOf(request.body), graceMs), request.person!);
      } catch (err) {
        return refusedStart(request, reply, err);
      }
      request.session.set('flash', startedNotice(started, 'The offboarding'));
      return reply.redirect(runPagePath(started.workflowId), 303);
    });

    app.post<{ Body: FormBody }>('/console/leak', form, async (request, reply) => {
      requireRole(request, 'startRevocation');
      const values = valuesOf(request.body);
      let started: StartedRun;
      try {
        started = await revokeFor(services, revocationRequestOf(values), request.person!);
      } catch (err) {
        if (!(err instanceof Problem) || (err.status !== 400 && err.status !== 409)) throw err;
        return sendPage(
          request,
          reply,
          'leak',
          { title: 'Leak response', current: '/console/leak' },
          { values, fieldErrors: fieldErrors(err.extra.errors ?? []), problem: err.detail },
          err.status,
        );
      }
      request.session.set('flash', startedNotice(started, 'The revocation'));
      return reply.redirect(runPagePath(started.workflowId), 303);
    });
  };
}
