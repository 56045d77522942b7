import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import csrfProtection from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type {} from '@fastify/secure-session';
import { authenticate } from '../auth/authenticate';
import { Problem, toProblem } from '../problems';
import { type Services } from '../services';
import { actionRoutes } from './actions';
import { liveRoutes } from './live';
import { pageRoutes } from './pages';
import { sendPage } from './render';
import { sweepRoutes } from './sweep';

/**
 * The web console under `/console`: server-rendered pages for the people who are not shell users. Its routes are
 * public to the API's own bearer check and authenticate here instead, from the session cookie the browser sign-in
 * (`/login`) set, so that a person who is not signed in is sent to sign in rather than answered with JSON. Every form
 * carries a CSRF token tied to the session and the person (@fastify/csrf-protection on @fastify/secure-session), every
 * answer a strict Content-Security-Policy (scripts and styles from this origin only, no inline script, no frames).
 * Pages and actions call the same server functions as the JSON API (server/temporal/*).
 */

declare module '@fastify/secure-session' {
  interface SessionData {
    /** One message for the next page (after a post, redirect, get): what was done. */
    flash: string;
    _csrf: string;
  }
}

const ASSETS = join(__dirname, 'assets');
const assets = {
  'console.css': { type: 'text/css; charset=utf-8', body: readFileSync(join(ASSETS, 'console.css')) },
  'console.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(join(ASSETS, 'console.js')) },
};

/** The policy of every console answer; forms may post to this origin and the sign-out reaches the IdP. */
export function contentSecurityPolicy(issuer: string): string {
  const idpOrigin = new URL(issuer).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    `form-action 'self' ${idpOrigin}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function securityHeaders(reply: FastifyReply, csp: string): void {
  reply
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin');
}

/** Where the sign-in sends the browser back to: this page, when it was a GET. */
function signInUrl(request: FastifyRequest): string {
  const back = request.method === 'GET' ? request.url : '/console';
  return `/login?returnTo=${encodeURIComponent(back)}`;
}

/** The page the person came from, when it is one of the console's (a Back link). */
function backPath(request: FastifyRequest): string | undefined {
  try {
    const path = new URL(request.headers.referer ?? '').pathname;
    return path.startsWith('/console') ? path : undefined;
  } catch {
    return undefined;
  }
}

/** A refusal as a page: what went wrong, the run's refusal or the missing role, and that nothing changed. */
export function sendProblemPage(request: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  const body = problem.body(request.url) as Record<string, unknown>;
  // Bad input already names each field and rule in its detail; other problems' field errors are added to it.
  const unlisted = (problem.extra.errors ?? []).filter((e) => !problem.detail.includes(e.field));
  const errors = unlisted.map((e) => `${e.field} ${e.rule}`).join('; ');
  return sendPage(
    request,
    reply,
    'error',
    { title: String(body.title) },
    {
      title: String(body.title),
      detail: errors ? `${problem.detail}: ${errors}` : problem.detail,
      refusal: problem.extra.refusal,
      missingRole: problem.extra.missingRole,
      back: backPath(request),
    },
    problem.status,
  );
}

export function consoleRoutes(services: Services) {
  const csp = contentSecurityPolicy(services.config.oidc.issuer);

  return async function plugin(app: FastifyInstance): Promise<void> {
    await app.register(formbody, { bodyLimit: services.config.bodyLimit });
    await app.register(csrfProtection, {
      sessionPlugin: '@fastify/secure-session',
      // The token is tied to the signed-in person too: a token from another person's session is refused.
      getUserInfo: (request) => request.person?.subject ?? '',
    });

    app.addHook('onRequest', async (request, reply) => {
      securityHeaders(reply, csp);
      if (request.url.startsWith('/console/assets/')) return;
      try {
        request.person = await authenticate(services.issuer, request);
      } catch (err) {
        if (err instanceof Problem && err.status === 401) return reply.redirect(signInUrl(request), 303);
        throw err;
      }
    });

    app.setErrorHandler((error, request, reply) => {
      const problem = toProblem(error, request);
      // A CSRF failure: the form came without its token, or with another session's.
      const csrf = (error as { code?: string }).code?.startsWith('FST_CSRF');
      const shown = csrf
        ? new Problem(403, 'forbidden', 'the form came without a valid CSRF token: reload the page and send it again')
        : problem;
      request.log.warn({ status: shown.status, reason: shown.detail, url: request.url.split('?')[0] }, 'refused');
      return sendProblemPage(request, reply, shown);
    });

    app.get<{ Params: { file: keyof typeof assets } }>(
      '/console/assets/:file',
      {
        config: { public: true },
        schema: {
          hide: true,
          params: {
            type: 'object',
            properties: { file: { type: 'string', enum: Object.keys(assets) } },
            required: ['file'],
          },
        },
      },
      async (request, reply) => {
        const asset = assets[request.params.file];
        return reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body);
      },
    );

    await app.register(pageRoutes(services));
    await app.register(actionRoutes(services));
    await app.register(liveRoutes(services));
    await app.register(sweepRoutes(services));
  };
}
