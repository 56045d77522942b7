/**
 * The codec endpoint over real HTTP, as the Temporal UI calls it from a browser: a signed-in person with one of our
 * roles gets payloads that the worker's codec encrypted back decoded; nobody else does (no session 401, no role 403,
 * another origin 403), and nothing is decoded that does not authenticate.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { PayloadEncryptionCodec } from '../../config/codec';
import { readPayloadKeysFile } from '../../config/payload-keys';
import { startTestCodecEndpoint, type TestCodecEndpoint } from '../support/codec-endpoint';
import { TEST_PAYLOAD_KEYS_PATH, testNamespace } from '../support/temporal';
import { people } from '../support/trust';

const uiOrigin = 'http://127.0.0.1:8233';
const codec = new PayloadEncryptionCodec(readPayloadKeysFile(TEST_PAYLOAD_KEYS_PATH));
const inventory = { user: 'alice', accessKeys: ['LTAIdemoAlice000000001'], comment: 'leaving on Friday' };

/** A Payload as protobuf JSON: what the UI sends and expects back. */
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const fromJson = (p: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});

let endpoint: TestCodecEndpoint;
let encrypted: ReturnType<typeof toJson>;
beforeAll(async () => {
  endpoint = await startTestCodecEndpoint({ uiOrigin });
  encrypted = toJson((await codec.encode([defaultPayloadConverter.toPayload(inventory)]))[0]);
});
afterAll(() => endpoint.close());

/** A problem+json answer, as far as these tests read it. */
interface ProblemBody {
  status: number;
  detail: string;
  errors: Array<{ field: string; rule: string }>;
}
const problemOf = async (res: Response) => (await res.json()) as ProblemBody;

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${endpoint.codecUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': testNamespace(), origin: uiOrigin, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
const as = (person: (typeof people)[keyof typeof people]) => ({ authorization: `Bearer ${endpoint.signIn(person)}` });

test('a signed-in person with a role gets the payload decoded, with CORS for the UI and its credentials', async () => {
  const res = await post('/decode', { payloads: [encrypted] }, as(people.olivia));
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  const { payloads } = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
  expect(payloads).toHaveLength(1);
  expect(Buffer.from(payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');
  expect(defaultPayloadConverter.fromPayload(fromJson(payloads[0]))).toEqual(inventory);
});

test('encode is refused to everyone, an admin too: payloads are encrypted only by the worker and the API', async () => {
  const plain = toJson(defaultPayloadConverter.toPayload({ reason: 'rehired' }));
  const res = await post('/encode', { payloads: [plain] }, as(people.carol));
  expect(res.status).toBe(403);
  expect((await problemOf(res)).detail).toMatch(/never encodes/);
  expect((await post('/encode', { payloads: [plain] })).status).toBe(401);
});

test('a payload that was never encrypted is shown as it is (a display, not the worker)', async () => {
  const plain = toJson(defaultPayloadConverter.toPayload({ stage: 'Blocked' }));
  const res = await post('/decode', { payloads: [plain, encrypted] }, as(people.sam));
  expect(res.status).toBe(200);
  const { payloads } = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
  expect(payloads[0]).toEqual(plain);
  expect(defaultPayloadConverter.fromPayload(fromJson(payloads[1]))).toEqual(inventory);
});

test('without a signed-in person: 401 problem, before the body is even read', async () => {
  for (const body of [{ payloads: [encrypted] }, 'not json at all']) {
    const res = await post('/decode', body);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // The UI can read the refusal (its origin is allowed), so it can say why nothing was decoded.
    expect(res.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(await res.json()).toMatchObject({ status: 401, title: 'Unauthorized', instance: '/codec/decode' });
  }
  expect((await post('/decode', { payloads: [encrypted] }, { authorization: 'Bearer forged' })).status).toBe(401);
});

test('a person without one of our roles: 403 naming the roles that may read', async () => {
  const res = await post('/decode', { payloads: [encrypted] }, as(people.bob));
  expect(res.status).toBe(403);
  const problem = await res.json();
  expect(problem).toMatchObject({ status: 403, missingRole: 'hr or admin or security or oncall' });
  expect(JSON.stringify(problem)).not.toContain('alice');
});

test('a page from another origin is refused, even with a valid session; preflights are answered for the UI only', async () => {
  const foreign = await post(
    '/decode',
    { payloads: [encrypted] },
    { ...as(people.olivia), origin: 'https://evil.test' },
  );
  expect(foreign.status).toBe(403);
  expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

  const preflight = (origin: string) =>
    fetch(`${endpoint.codecUrl}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, x-namespace',
      },
    });
  const ok = await preflight(uiOrigin);
  expect(ok.status).toBe(204);
  expect(ok.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
  expect(ok.headers.get('access-control-allow-methods')).toBe('POST');
  expect(ok.headers.get('access-control-allow-headers')?.toLowerCase().split(/,\s*/).sort()).toEqual([
    'authorization',
    'content-type',
    'x-namespace',
  ]);
  const refused = await preflight('https://evil.test');
  expect(refused.status).toBe(403);
  expect(refused.headers.get('access-control-allow-origin')).toBeNull();
});

test('a tampered payload or one under an unknown key is a 400 that names the payload, never passed through', async () => {
  const data = Buffer.from(encrypted.data, 'base64');
  data[30] ^= 1;
  const tampered = await post(
    '/decode',
    { payloads: [encrypted, { ...encrypted, data: data.toString('base64') }] },
    as(people.olivia),
  );
  expect(tampered.status).toBe(400);
  const problem = (await tampered.json()) as { detail: string; payloads?: unknown };
  expect(problem.detail).toMatch(/^payload 1: does not authenticate under key "test-only"/);
  expect(problem.payloads).toBeUndefined();

  const unknownKey = {
    ...encrypted,
    metadata: { ...encrypted.metadata, 'encryption-key-id': Buffer.from('gone').toString('base64') },
  };
  const unknown = await post('/decode', { payloads: [unknownKey] }, as(people.olivia));
  expect(unknown.status).toBe(400);
  expect((await problemOf(unknown)).detail).toMatch(/key "gone", which is not among the keys/);
});

test('bad requests are refused naming the field or header and the rule', async () => {
  const notBase64 = await post('/decode', { payloads: [{ metadata: {}, data: 'not base64!' }] }, as(people.olivia));
  expect(notBase64.status).toBe(400);
  expect((await problemOf(notBase64)).errors).toEqual([
    { field: 'body.payloads[0].data', rule: expect.stringMatching(/pattern/) },
  ]);

  const noPayloads = await post('/decode', { payload: [] }, as(people.olivia));
  expect(noPayloads.status).toBe(400);
  expect((await problemOf(noPayloads)).errors[0].rule).toMatch(/payloads/);

  const otherNamespace = await post(
    '/decode',
    { payloads: [encrypted] },
    { ...as(people.olivia), 'x-namespace': 'billing' },
  );
  expect(otherNamespace.status).toBe(400);
  expect(await otherNamespace.json()).toMatchObject({
    errors: [{ field: 'X-Namespace', rule: `must be ${testNamespace()}` }],
  });
});
