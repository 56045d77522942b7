/**
 * The sweep's API without Temporal: input is checked first (400 naming the field and rule), then the server says
 * Temporal is unavailable (503). Its routes' documentation is checked with the others in test/server/openapi.test.ts.
 */
import { freePort } from '../../scripts/local-temporal';
import { startApiServer, type ApiServer } from './api-server';

let api: ApiServer;

beforeAll(async () => {
  api = await startApiServer({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
});
afterAll(() => api?.stop());

test('without Temporal, a sweep request is still checked first (400), then answered 503', async () => {
  const token = await api.token('sam');
  const bad = await api.call('POST', '/v1/sweeps', { token, body: { staleAfterDays: 'soon' } });
  expect(bad.status).toBe(400);
  expect(bad.body.errors).toEqual([{ field: 'staleAfterDays', rule: 'must be a whole number of days from 1 to 3650' }]);
  const down = await api.call('POST', '/v1/sweeps', { token, body: { mode: 'dry-run' } });
  expect(down.status).toBe(503);
  expect(down.body.type).toBe('urn:acs-offboarding:problem:temporal-unavailable');
});
