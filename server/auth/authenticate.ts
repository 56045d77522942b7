import { type FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import type {} from '@fastify/secure-session';
import * as oidc from 'openid-client';
import { type Action, mayDo, rolesNeeded } from '../../common/roles';
import { Problem, ProblemType, unauthenticated } from '../problems';
import { type Person } from '../signer';
import { verifyAccessToken } from './access-token';
import { type Issuer } from './issuer';

/**
 * Who is asking: every route is authenticated unless its config says `public`, and a route with an `action` also
 * needs one of that action's roles (common/roles.ts, the one permission table). A bearer access token (the CLI,
 * integrations) comes first; without one, the browser session cookie set by the sign-in (`/login`) is used, and its
 * access token is refreshed when it has expired. CORS preflights carry no credentials and pass.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** No sign-in needed (health, the OpenAPI document, the sign-in routes). */
    public?: boolean;
    /** What the route does, for the role check; absent: any signed-in person. */
    action?: Action;
  }
  interface FastifyRequest {
    /** The signed-in person; set on every route that is not public. */
    person?: Person;
  }
}

declare module '@fastify/secure-session' {
  interface SessionData {
    tokens: { accessToken: string; refreshToken?: string; idToken?: string };
    login: { state: string; nonce: string; codeVerifier: string; returnTo: string };
  }
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/;

/** The access token of the browser session, refreshed first when it has expired (or will in the next 30 s). */
async function sessionAccessToken(issuer: Issuer, request: FastifyRequest): Promise<string | undefined> {
  const tokens = request.session?.get('tokens');
  if (!tokens) return undefined;
  const exp = decodeJwt(tokens.accessToken).exp ?? 0;
  if (exp * 1000 > Date.now() + 30_000 || !tokens.refreshToken) return tokens.accessToken;
  try {
    const fresh = await oidc.refreshTokenGrant(await issuer.configuration(), tokens.refreshToken);
    request.session.set('tokens', {
      accessToken: fresh.access_token,
      refreshToken: fresh.refresh_token ?? tokens.refreshToken,
      idToken: fresh.id_token ?? tokens.idToken,
    });
    return fresh.access_token;
  } catch (err) {
    if (err instanceof Problem) throw err;
    request.session.delete();
    throw unauthenticated('the session has ended: sign in again at /login');
  }
}

export async function authenticate(issuer: Issuer, request: FastifyRequest): Promise<Person> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const m = BEARER.exec(header);
    if (!m) throw unauthenticated('the Authorization header must be "Bearer <access token>"');
    return verifyAccessToken(issuer, m[1]);
  }
  const token = await sessionAccessToken(issuer, request);
  if (!token) {
    throw unauthenticated('sign in first: send a bearer access token (offboard login), or sign in at /login');
  }
  return verifyAccessToken(issuer, token);
}

export function forbidden(action: Action, person: Person): Problem {
  const needed = rolesNeeded(action);
  return new Problem(
    403,
    ProblemType.Forbidden,
    `${person.name} (${person.subject}) does not have the role ${needed}, which ${action} needs` +
      ` (their roles: ${person.roles.length ? person.roles.join(', ') : 'none'})`,
    { missingRole: needed },
  );
}

/** The onRequest hook of the whole server. */
export function authHook(issuer: Issuer) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.method === 'OPTIONS') return;
    const { public: isPublic, action } = request.routeOptions.config ?? {};
    if (isPublic) return;
    const person = await authenticate(issuer, request);
    request.person = person;
    if (action && !mayDo(action, person.roles)) throw forbidden(action, person);
  };
}
