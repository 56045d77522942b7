import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { CONSOLE_RUNS_PATH, runPagePath } from '../../common/console-links';
import { type Action, mayDo } from '../../common/roles';
import { describeDuration } from '../../common/timing';
import { forbidden } from '../auth/authenticate';
import { type RunParams, runParams, workflowIdOf } from '../schemas';
import { type Services } from '../services';
import { listRuns } from '../temporal/list';
import { sendPage } from './render';
import { sendRunPage } from './run-page';
import { blockedFacts } from './run-view';
import { blockedRuns, runsAwaitingAdmins } from './waiting';

/** The console's pages (GET): each reads through the server functions the JSON API uses, and writes nothing. */

export const page = { config: { public: true }, schema: { hide: true } } as const;

/** The role check of a page: the same table as the API (common/roles.ts); a missing role is a 403 page. */
export function requireRole(request: FastifyRequest, action: Action): void {
  if (!mayDo(action, request.person!.roles)) throw forbidden(action, request.person!);
}

/** Where a person lands: the page of their main job. */
function homeOf(roles: readonly string[]): string {
  if (roles.includes('admin')) return '/console/inbox';
  if (roles.includes('hr')) return '/console/start';
  if (roles.includes('oncall')) return '/console/stuck';
  if (roles.includes('security')) return '/console/leak';
  return CONSOLE_RUNS_PATH;
}

const RUN_LIST_LIMIT = 50;

export function pageRoutes(services: Services) {
  const { config } = services;

  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/console', page, async (request, reply) => reply.redirect(homeOf(request.person!.roles), 303));

    app.get('/console/inbox', page, async (request, reply) => {
      requireRole(request, 'read');
      const runs = (await runsAwaitingAdmins(services)).map((r) => ({ ...r, href: runPagePath(r.workflowId) }));
      return sendPage(request, reply, 'inbox', { title: 'Inbox', current: '/console/inbox' }, { runs });
    });

    app.get('/console/stuck', page, async (request, reply) => {
      requireRole(request, 'read');
      const mayAct = mayDo('retry', request.person!.roles);
      const runs = (await blockedRuns(services)).map((r, i) => ({
        ...r,
        id: `stuck-${i}`,
        href: runPagePath(r.workflowId),
        blocked: blockedFacts(r.status.blocked!),
        mayAct,
      }));
      return sendPage(request, reply, 'stuck', { title: 'Stuck runs', current: '/console/stuck' }, { runs });
    });

    app.get(CONSOLE_RUNS_PATH, page, async (request, reply) => {
      requireRole(request, 'read');
      const { runs } = await listRuns(await services.temporal.client(), config.temporal, {
        accountId: config.accountId,
        limit: RUN_LIST_LIMIT,
      });
      const rows = runs.map((r) => ({ ...r, href: runPagePath(r.workflowId) }));
      return sendPage(request, reply, 'runs', { title: 'All runs', current: CONSOLE_RUNS_PATH }, { runs: rows });
    });

    app.get<{ Params: RunParams }>(
      `${CONSOLE_RUNS_PATH}/:kind/:account/:type/:name`,
      { ...page, schema: { ...page.schema, params: runParams } },
      async (request, reply) => {
        requireRole(request, 'read');
        return sendRunPage(services, request, reply, workflowIdOf(request.params));
      },
    );

    app.get('/console/start', page, async (request, reply) => {
      requireRole(request, 'startOffboarding');
      return sendStartForm(services, request, reply, {});
    });

    app.get('/console/leak', page, async (request, reply) => {
      requireRole(request, 'startRevocation');
      return sendPage(request, reply, 'leak', { title: 'Leak response', current: '/console/leak' }, { values: {} });
    });
  };
}

/** The start form, empty or as it was sent with the problems of its fields. */
export function sendStartForm(
  services: Pick<Services, 'config'>,
  request: FastifyRequest,
  reply: import('fastify').FastifyReply,
  data: { values?: Record<string, string>; fieldErrors?: Record<string, string>; problem?: string },
  status = 200,
) {
  return sendPage(
    request,
    reply,
    'start',
    { title: 'Start an offboarding', current: '/console/start' },
    { values: {}, ...data, grace: describeDuration(services.config.hrIntake.graceMs) },
    status,
  );
}
