/**
 * The OpenAPI document the server serves at /v1/openapi.json: built from the route schemas, so it is the API as
 * it runs. Every route of the contract is in it with its schemas and its problem responses, and the document is a
 * valid OpenAPI 3.1 document by @seriousme/openapi-schema-validator (run in plain Node: it is an ES module that
 * reads its schemas through import.meta).
 */
import { spawnSync } from 'node:child_process';
import { freePort, repoRoot } from '../../scripts/local-temporal';
import { startApiServer, type ApiServer } from './api-server';

let api: ApiServer;
let doc: {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, unknown> };
};

beforeAll(async () => {
  api = await startApiServer({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
  const res = await fetch(`${api.url}/v1/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as typeof doc;
});
afterAll(() => api?.stop());

const run = '/v1/runs/{kind}/{account}/{type}/{name}';
const routes: Array<[string, string, number[]]> = [
  ['get', '/healthz', []],
  ['get', '/v1/me', [401]],
  ['get', '/v1/sign-in', []],
  ['post', '/v1/offboardings', [400, 401, 403, 413, 503]],
  ['post', '/v1/offboardings/batch', [400, 401, 403, 413, 415]],
  ['post', '/v1/batches/{batchId}/approve', [400, 401, 403, 404, 413, 503]],
  ['post', '/v1/revocations', [400, 401, 403, 413, 503]],
  ['post', '/v1/plans', [400, 401, 403, 503]],
  ['get', '/v1/runs', [400, 401, 403, 503]],
  ['get', '/v1/runs/lookup', [400, 401, 403, 404, 409, 503]],
  ['get', run, [400, 401, 403, 404, 503]],
  ['get', `${run}/audit`, [400, 401, 403, 404, 503]],
  ...[
    'approve',
    'reject',
    'resolve',
    'rescind',
    'retry',
    'abort',
    'approve-undo',
    'reject-undo',
    'confirm-deletion',
  ].map((d): [string, string, number[]] => ['post', `${run}/${d}`, [400, 401, 403, 404, 409, 413, 503]]),
  ['post', '/v1/runs/offboard/{account}/user/{name}/undo', [400, 401, 403, 404, 409, 413, 503]],
  ['post', '/v1/hr-events', [400, 401, 409, 413, 422, 503]],
  ['post', '/v1/sweeps', [400, 401, 403, 409, 503]],
  ['get', '/v1/sweeps/last', [401, 403, 503]],
  ['get', '/v1/sweeps/schedule', [401, 403, 404, 503]],
  ['put', '/v1/sweeps/schedule', [400, 401, 403, 503]],
  ['post', '/v1/sweeps/schedule/pause', [400, 401, 403, 404, 503]],
  ['post', '/v1/sweeps/schedule/unpause', [400, 401, 403, 404, 503]],
  ['post', '/v1/sweeps/schedule/trigger', [401, 403, 404, 409, 503]],
  ['get', '/v1/failsafe', [401, 403, 503]],
  ['post', '/v1/failsafe/confirm', [400, 401, 403, 413, 415, 503]],
];

test.each(routes)('%s %s is documented with its schemas and problem responses', (method, path, problems) => {
  const op = doc.paths[path]?.[method] as
    | {
        responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
        requestBody?: unknown;
        parameters?: unknown[];
      }
    | undefined;
  expect(op).toBeDefined();
  const ok = Object.keys(op!.responses).find((s) => s.startsWith('2'));
  expect(ok).toBeDefined();
  for (const status of problems) {
    const schema = op!.responses[String(status)]?.content?.['application/problem+json']?.schema;
    expect({ status, ref: schema?.$ref }).toEqual({ status, ref: '#/components/schemas/Problem' });
  }
  // The HR intake verifies its body as bytes before it parses it: its shape is in the route's description. A trigger
  // takes no body.
  if ((method === 'post' || method === 'put') && !/\/(approve|retry|hr-events|trigger)$/.test(path)) {
    expect(op!.requestBody).toMatchObject({ required: true });
  }
  if (path.includes('{kind}')) expect(op!.parameters).toHaveLength(4);
});

test('the problem schema is a component; the sign-in routes and the document itself are left out', () => {
  expect(doc.components.schemas.Problem).toMatchObject({ required: ['type', 'title', 'status', 'detail'] });
  expect(Object.keys(doc.paths)).not.toEqual(expect.arrayContaining(['/login']));
  // The codec endpoints are the Temporal UI's remote codec protocol, not the /v1 contract (test/codec checks them).
  const contract = Object.keys(doc.paths).filter((p) => !p.startsWith('/codec/'));
  expect(contract.sort()).toEqual([...new Set(routes.map((r) => r[1]))].sort());
});

test('the document is valid OpenAPI', () => {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const result = await new Validator().validate(JSON.parse(input));
    console.log(JSON.stringify(result));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repoRoot,
    input: JSON.stringify(doc),
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  const result = JSON.parse(r.stdout) as { valid: boolean; errors?: unknown };
  expect(result).toEqual({ valid: true });
  expect(doc.openapi).toBe('3.1.0');
});
