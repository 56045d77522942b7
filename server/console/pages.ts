import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { CONSOLE_RUNS_PATH, runPagePath } from '../../common/console-links';
import { type Action, mayDo } from '../../common/roles';
import { describeDuration } from '../../common/timing';
import { forbidden } from '../auth/authenticate';
import { OffboardingStage } from '../../common/stages';
import { ramName, type RunParams, runParams, stage, workflowIdOf } from '../schemas';
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

/** All runs shows this many, and "show more" this many more each time, up to the API's own ceiling. */
const RUN_LIST_STEP = 50;
const RUN_LIST_MAX = 1000;

/** The All runs filter, a GET form: an empty field means "any" (browsers send empty fields). */
interface RunsQuery {
  type?: 'user' | 'role';
  name?: string;
  stage?: string;
  show?: string;
}
const runsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: ['user', 'role'], description: 'must be user or role' },
    name: ramName,
    stage,
    // A string, as the API's own `limit` (query strings are not coerced): RUN_LIST_STEP to RUN_LIST_MAX.
    show: {
      type: 'string',
      pattern: '^(1000|[5-9][0-9]|[1-9][0-9]{2})$',
      description: 'must be a whole number from 50 to 1000',
    },
  },
} as const;

/** Before validation: the empty fields a GET form sends mean "any", and are dropped. */
async function dropEmptyFields(request: FastifyRequest): Promise<void> {
  const query = request.query as Record<string, unknown>;
  for (const [key, value] of Object.entries(query)) if (value === '') delete query[key];
}

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

    app.get<{ Querystring: RunsQuery }>(
      CONSOLE_RUNS_PATH,
      { ...page, preValidation: dropEmptyFields, schema: { ...page.schema, querystring: runsQuery } },
      async (request, reply) => {
        requireRole(request, 'read');
        const q = request.query;
        const show = q.show === undefined ? RUN_LIST_STEP : Number(q.show);
        const target = q.name ? { type: q.type ?? 'user', name: q.name } : undefined;
        const { runs } = await listRuns(await services.temporal.client(), config.temporal, {
          accountId: config.accountId,
          target,
          stage: q.stage,
          // One more than shown: whether there are more to show.
          limit: show + 1,
        });
        const rows = runs.slice(0, show).map((r) => ({ ...r, href: runPagePath(r.workflowId) }));
        const filter = { type: target?.type ?? 'user', name: q.name ?? '', stage: q.stage ?? '' };
        const more =
          runs.length > show && show < RUN_LIST_MAX
            ? `${CONSOLE_RUNS_PATH}?${new URLSearchParams({ ...filter, show: String(Math.min(show + RUN_LIST_STEP, RUN_LIST_MAX)) })}`
            : undefined;
        return sendPage(
          request,
          reply,
          'runs',
          { title: 'All runs', current: CONSOLE_RUNS_PATH },
          { runs: rows, filter, stages: Object.values(OffboardingStage), more, capped: runs.length > show && !more },
        );
      },
    );

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
