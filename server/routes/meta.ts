import { type FastifyInstance } from 'fastify';
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
