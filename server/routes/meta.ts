import { type FastifyInstance } from 'fastify';
import { type OidcSettings } from '../../config/oidc';
import { problemResponses } from '../problems';

/** Health, the OpenAPI document, and who the caller is. */
export async function metaRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        summary: 'Liveness: the process answers (it does not contact Temporal)',
        tags: ['meta'],
        security: [],
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['ok'],
            properties: { ok: { type: 'boolean' } },
          },
        },
      },
    },
    async () => ({ ok: true }),
  );

  app.get('/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/v1/me',
    {
      schema: {
        summary: 'The signed-in person: subject, name, roles (mapped from the IdP groups) and RAM user name',
        tags: ['meta'],
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['subject', 'name', 'roles'],
            properties: {
              subject: { type: 'string' },
              name: { type: 'string' },
              roles: { type: 'array', items: { type: 'string' } },
              ramUser: { type: 'string' },
            },
          },
          ...problemResponses(401, 503),
        },
      },
    },
    async (request) => request.person,
  );
}

/**
 * Where to sign in: the identity provider and the CLI's client id there, so that a client that knows only the API's
 * URL (the CLI, with OFFBOARD_API_URL) can run the device authorization grant. Public: it is asked before sign-in.
 */
export function signInRoute(oidc: Pick<OidcSettings, 'issuer' | 'cliClientId'>) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get(
      '/v1/sign-in',
      {
        config: { public: true },
        schema: {
          summary: 'Where to sign in: the identity provider and the CLI client id there (device authorization grant)',
          tags: ['meta'],
          security: [],
          response: {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['issuer', 'cliClientId'],
              properties: {
                issuer: { type: 'string', description: "the identity provider's issuer URL" },
                cliClientId: { type: 'string', description: 'the public client of the CLI at that provider' },
              },
            },
          },
        },
      },
      async () => ({ issuer: oidc.issuer, cliClientId: oidc.cliClientId }),
    );
  };
}
