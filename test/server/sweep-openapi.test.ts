/**
 * The sweep's routes in the OpenAPI document the server serves: each with its 2xx answer, its request body where it
 * takes one, and its problem responses (the house's problem+json). The document as a whole is validated by
 * test/server/openapi.test.ts, whose list of the contract's routes needs these six too.
 */
import { freePort } from '../../scripts/local-temporal';
import { startApiServer, type ApiServer } from './api-server';

let api: ApiServer;
let paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;

beforeAll(async () => {
  api = await startApiServer({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
  paths = ((await (await fetch(`${api.url}/v1/openapi.json`)).json()) as { paths: typeof paths }).paths;
});
afterAll(() => api?.stop());

const routes: Array<[string, string, string, number[], boolean]> = [
  ['post', '/v1/sweeps', '201', [400, 401, 403, 409, 503], true],
  ['get', '/v1/sweeps/last', '200', [401, 403, 503], false],
  ['get', '/v1/sweeps/schedule', '200', [401, 403, 404, 503], false],
  ['put', '/v1/sweeps/schedule', '201', [400, 401, 403, 503], true],
  ['post', '/v1/sweeps/schedule/pause', '200', [400, 401, 403, 404, 503], true],
  ['post', '/v1/sweeps/schedule/unpause', '200', [400, 401, 403, 404, 503], true],
  ['post', '/v1/sweeps/schedule/trigger', '202', [401, 403, 404, 409, 503], false],
];

test.each(routes)('%s %s is documented', (method, path, ok, problems, body) => {
  const op = paths[path]?.[method];
  expect(op).toBeDefined();
  expect(op!.responses[ok]).toBeDefined();
  for (const status of problems) {
    expect({ status, response: op!.responses[String(status)] }).toEqual({
      status,
      response: expect.objectContaining({
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      }),
    });
  }
  expect(op!.requestBody !== undefined).toBe(body);
});

test('without Temporal, a sweep request is still checked first (400), then answered 503', async () => {
  const token = await api.token('sam');
  const bad = await api.call('POST', '/v1/sweeps', { token, body: { staleAfterDays: 'soon' } });
  expect(bad.status).toBe(400);
  expect(bad.body.errors).toEqual([{ field: 'staleAfterDays', rule: 'must be a whole number of days from 1 to 3650' }]);
  const down = await api.call('POST', '/v1/sweeps', { token, body: { mode: 'dry-run' } });
  expect(down.status).toBe(503);
  expect(down.body.type).toBe('urn:acs-offboarding:problem:temporal-unavailable');
});
