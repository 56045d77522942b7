import { type FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger'; // the `hide` of route schemas
import * as oidc from 'openid-client';
import { notFound, Problem, ProblemType, unauthenticated } from '../problems';
import { verifyAccessToken } from './access-token';
import { type Issuer } from './issuer';

/**
 * Browser sign-in for the web console: authorization code + PKCE with openid-client. `/login` sends the browser to
 * the identity provider, `/callback` takes the code back, checks state, nonce and PKCE, verifies the access token as
 * every request would, and keeps the tokens in the sealed session cookie (HttpOnly, SameSite=Lax, Secure over
 * https); `/logout` forgets them and ends the provider's session too.
 */

const SCOPE = 'openid profile offline_access';
/** Where a browser may be sent back to: a path on this server, never another origin. */
const RETURN_TO = '^/(?![/\\\\])[\\x21-\\x7e]{0,500}$';

export function browserSignIn(issuer: Issuer, publicUrl: string) {
  const redirectUri = `${publicUrl}/callback`;
  const signedOutUri = `${publicUrl}/signed-out`;
  const publicOrigin = new URL(publicUrl).origin;
  const enabled = Boolean(issuer.settings.webClientSecret);
  const requireEnabled = () => {
    if (!enabled) throw notFound('browser sign-in is off: OFFBOARD_OIDC_WEB_CLIENT_SECRET is not set');
  };

  return async function routes(app: FastifyInstance): Promise<void> {
    // A sign-out button posts an (empty) form: accepted here, and its body is not read.
    app.addContentTypeParser('application/x-www-form-urlencoded', { bodyLimit: 1024 }, (_request, _payload, done) =>
      done(null, {}),
    );

    app.get<{ Querystring: { returnTo?: string } }>(
      '/login',
      {
        config: { public: true },
        schema: {
          hide: true,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              returnTo: { type: 'string', pattern: RETURN_TO, description: 'must be a path on this server' },
            },
          },
        },
      },
      async (request, reply) => {
        requireEnabled();
        const codeVerifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        const nonce = oidc.randomNonce();
        request.session.set('login', { state, nonce, codeVerifier, returnTo: request.query.returnTo ?? '/v1/me' });
        const url = oidc.buildAuthorizationUrl(await issuer.configuration(), {
          redirect_uri: redirectUri,
          scope: SCOPE,
          code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
          code_challenge_method: 'S256',
          state,
          nonce,
        });
        return reply.redirect(url.href, 302);
      },
    );

    const param = { type: 'string', maxLength: 4096, description: 'must be a string of at most 4096 characters' };
    const callbackSchema = {
      hide: true,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(
          ['code', 'state', 'iss', 'session_state', 'error', 'error_description', 'error_uri'].map((k) => [k, param]),
        ),
      },
    };
    app.get('/callback', { config: { public: true }, schema: callbackSchema }, async (request, reply) => {
      requireEnabled();
      const login = request.session.get('login');
      request.session.set('login', undefined);
      if (!login) throw unauthenticated('no sign-in is in progress in this browser: start at /login');
      let tokens: oidc.TokenEndpointResponse;
      try {
        // The provider sent the browser back to the API's public URL: the code is checked against that.
        tokens = await oidc.authorizationCodeGrant(await issuer.configuration(), new URL(request.url, publicUrl), {
          pkceCodeVerifier: login.codeVerifier,
          expectedState: login.state,
          expectedNonce: login.nonce,
        });
      } catch (err) {
        request.log.warn({ reason: (err as Error).message }, 'sign-in refused');
        throw unauthenticated(`the sign-in was not completed: ${(err as Error).message}`);
      }
      await verifyAccessToken(issuer, tokens.access_token); // a token this API would refuse is not kept
      request.session.set('tokens', {
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        idToken: tokens.id_token,
      });
      return reply.redirect(login.returnTo, 303);
    });

    app.post('/logout', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      // Sign-out is a form too: a page of another site must not be able to sign people out (CSRF). The browser's own
      // headers say where the form came from; the session is not touched when it came from elsewhere.
      if (crossSite(request.headers, publicOrigin)) {
        throw new Problem(403, ProblemType.Forbidden, "sign-out is accepted only from this server's own pages");
      }
      const idToken = request.session.get('tokens')?.idToken;
      request.session.delete();
      if (!enabled || !idToken) return reply.redirect(signedOutUri, 303);
      const configuration = await issuer.configuration();
      if (!configuration.serverMetadata().end_session_endpoint) return reply.redirect(signedOutUri, 303);
      const url = oidc.buildEndSessionUrl(configuration, {
        id_token_hint: idToken,
        post_logout_redirect_uri: signedOutUri,
      });
      return reply.redirect(url.href, 303);
    });

    app.get('/signed-out', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head>' +
            '<body><main><h1>Signed out</h1><p><a href="/login">Sign in again</a></p></main></body></html>',
        ),
    );
  };
}

/** A request a page of another origin sent (Fetch Metadata, else the Origin header); old clients that send neither pass. */
function crossSite(headers: Record<string, string | string[] | undefined>, ownOrigin: string): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = headers.origin;
  return origin !== undefined && origin !== 'null' ? origin !== ownOrigin : origin === 'null';
}
