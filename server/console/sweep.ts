import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type {} from '@fastify/secure-session';
import { mayDo } from '../../common/roles';
import { isNonEmptyText, Rules } from '../../common/validation';
import { badInput, Problem } from '../problems';
import { type Services } from '../services';
import { lastSweep, startSweepNow } from '../temporal/sweep-runs';
import { setSweepSchedulePaused, sweepSchedule, type SweepScheduleView } from '../temporal/sweep-schedule';
import { type FormBody } from './forms';
import { page, requireRole } from './pages';
import { sendPage } from './render';

/**
 * The console's Sweep page: the last report, the running sweep's progress and the schedule's state (read), and for
 * those whose role allows it a dry run now (sweep) and pause/unpause of the schedule (scheduleSweep). The forms go
 * through the server functions of the JSON API's routes (server/temporal/sweep-*.ts), behind the CSRF check; a refusal
 * (a sweep already running, no schedule) is shown on the page, and nothing changed.
 */

export const CONSOLE_SWEEP_PATH = '/console/sweep';

/** The schedule, or null when the account has none (a 404 of the API is a state here, not an error). */
async function scheduleOrNull(services: Services): Promise<SweepScheduleView | null> {
  try {
    return await sweepSchedule(services);
  } catch (err) {
    if (err instanceof Problem && err.status === 404) return null;
    throw err;
  }
}

async function sendSweepPage(services: Services, request: FastifyRequest, reply: FastifyReply, refused?: Problem) {
  const [last, schedule] = await Promise.all([lastSweep(services), scheduleOrNull(services)]);
  const notice = request.session.get('flash');
  if (notice) request.session.set('flash', undefined);
  const roles = request.person!.roles;
  return sendPage(
    request,
    reply,
    'sweep',
    { title: 'Sweep', current: CONSOLE_SWEEP_PATH },
    {
      report: last.report,
      running: last.running,
      schedule,
      notice,
      refused: refused && { detail: refused.detail, refusal: refused.extra.refusal },
      maySweep: mayDo('sweep', roles),
      maySchedule: mayDo('scheduleSweep', roles),
    },
    refused?.status ?? 200,
  );
}

/** The optional note of a pause or unpause, checked by the API's text rule. */
function noteOf(body: FormBody | undefined): string | undefined {
  const note = typeof body?.note === 'string' ? body.note.trim() : '';
  if (!note) return undefined;
  if (!isNonEmptyText(note)) throw badInput([{ field: 'note', rule: Rules.text }]);
  return note;
}

export function sweepRoutes(services: Services) {
  return async function routes(app: FastifyInstance): Promise<void> {
    const form = { ...page, preHandler: app.csrfProtection } as const;

    app.get(CONSOLE_SWEEP_PATH, page, async (request, reply) => {
      requireRole(request, 'read');
      return sendSweepPage(services, request, reply);
    });

    /** Runs a form's change; its refusals (400, 404, 409) are shown on the page. */
    const act = async (request: FastifyRequest, reply: FastifyReply, change: () => Promise<string>) => {
      try {
        request.session.set('flash', await change());
      } catch (err) {
        if (err instanceof Problem && [400, 404, 409].includes(err.status)) {
          return sendSweepPage(services, request, reply, err);
        }
        throw err;
      }
      return reply.redirect(CONSOLE_SWEEP_PATH, 303);
    };

    app.post<{ Body: FormBody }>(`${CONSOLE_SWEEP_PATH}/dry-run`, form, async (request, reply) => {
      requireRole(request, 'sweep');
      return act(request, reply, async () => {
        const started = await startSweepNow(services, { mode: 'dry-run' }, request.person!);
        return `A dry-run sweep started: ${started.workflowId}. It only reports.`;
      });
    });

    for (const paused of [true, false]) {
      app.post<{ Body: FormBody }>(
        `${CONSOLE_SWEEP_PATH}/${paused ? 'pause' : 'unpause'}`,
        form,
        async (request, reply) => {
          requireRole(request, 'scheduleSweep');
          return act(request, reply, async () => {
            await setSweepSchedulePaused(services, paused, request.person!, noteOf(request.body));
            return paused ? 'You paused the sweep schedule.' : 'You unpaused the sweep schedule.';
          });
        },
      );
    }
  };
}
