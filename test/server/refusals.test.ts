/**
 * What the API refuses on its own, before anything reaches Temporal: no, expired or foreign tokens (401), bad input
 * (400 naming the field and its rule), a body over the limit (413), a body that is not JSON (415). The server here
 * points at a Temporal address where nothing listens: every refusal below comes without trying it, and a valid
 * request shows what trying looks like (503).
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, type JWK, SignJWT } from 'jose';
import { freePort } from '../../scripts/local-temporal';
import { startApiServer, type ApiServer } from './api-server';

let api: ApiServer;

beforeAll(async () => {
  api = await startApiServer({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, OFFBOARD_API_BODY_LIMIT: '2048' });
});
afterAll(() => api?.stop());

/** A token signed with the embedded provider's own key: valid but for what the test changes. */
async function providerToken(
  claims: Record<string, unknown>,
  times: { iat: number; exp: number },
  audience = 'offboarding-api',
): Promise<string> {
  const jwk = (JSON.parse(readFileSync(join(api.dataDir, 'idp', 'jwks.json'), 'utf8')) as { keys: JWK[] }).keys[0];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'at+jwt' })
    .setIssuer(api.issuer)
    .setAudience(audience)
    .setSubject('carol')
    .setIssuedAt(times.iat)
    .setExpirationTime(times.exp)
    .sign(await importJWK(jwk, 'RS256'));
}

const now = () => Math.floor(Date.now() / 1000);

describe('401: who is asking is not established', () => {
  test('no token, a malformed header, a malformed token', async () => {
    const headerSets: Array<Record<string, string>> = [
      {},
      { authorization: 'Basic Y2Fyb2w6cA==' },
      { authorization: 'Bearer not-a-jwt' },
    ];
    for (const headers of headerSets) {
      const res = await api.call('GET', '/v1/me', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(res.body.type).toBe('urn:acs-offboarding:problem:unauthenticated');
    }
  });

  test('an expired token, signed by the right provider', async () => {
    const token = await providerToken({ groups: ['admin'] }, { iat: now() - 3600, exp: now() - 1800 });
    const res = await api.call('GET', '/v1/me', { token });
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/expired/);
  });

  test('a token for another audience, and a token of another issuer', async () => {
    const wrongAudience = await providerToken({ groups: ['admin'] }, { iat: now(), exp: now() + 60 }, 'another-api');
    expect((await api.call('GET', '/v1/me', { token: wrongAudience })).body.detail).toMatch(/not for this API/);

    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const foreign = await new SignJWT({ groups: ['admin'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'theirs' })
      .setIssuer('https://idp.example.com')
      .setAudience('offboarding-api')
      .setSubject('carol')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const res = await api.call('POST', '/v1/runs/offboard/1234567890123456/user/alice/approve', {
      token: foreign,
      body: {},
    });
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/not signed by|not issued by/);
  });

  test('a real token from the provider works', async () => {
    const res = await api.call('GET', '/v1/me', { as: 'carol' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ subject: 'carol', name: 'Carol', roles: ['admin'], ramUser: 'carol' });
  });
});

describe('400, 413, 415: bad input, refused before Temporal is tried', () => {
  const start = (body: unknown) => api.call('POST', '/v1/offboardings', { as: 'hr-jane', body });

  test('an unknown field is named', async () => {
    const res = await start({ target: { type: 'user', name: 'alice' }, reason: 'departure', requestedBy: 'carol' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'requestedBy', rule: 'is not a known field' }]);
    const nested = await start({ target: { type: 'user', name: 'alice', uid: '1' }, reason: 'departure' });
    expect(nested.body.errors).toEqual([{ field: 'target.uid', rule: 'is not a known field' }]);
  });

  test('a malformed identity name, a missing field, a wrong enum: each names the field and its rule', async () => {
    const bad = await start({ target: { type: 'user', name: "alice' OR 1=1" }, reason: 'departure' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'target.name', rule: expect.stringMatching(/1-64 characters/) }]);
    expect((await start({ target: { type: 'user', name: 'alice' } })).body.errors).toEqual([
      { field: 'reason', rule: 'is required' },
    ]);
    expect((await start({ target: { type: 'group', name: 'alice' }, reason: 'departure' })).body.errors).toEqual([
      { field: 'target.type', rule: 'must be one of user, role' },
    ]);
    const root = await start({ target: { type: 'user', name: 'root' }, reason: 'departure' });
    expect(root.status).toBe(400);
    expect(root.body.errors).toEqual([{ field: 'target.name', rule: expect.stringMatching(/root account/) }]);
  });

  test('bad paths and queries', async () => {
    const path = await api.call('GET', '/v1/runs/offboard/12345/user/alice', { as: 'olivia' });
    expect(path.status).toBe(400);
    expect(path.body.errors).toEqual([{ field: 'params.account', rule: expect.stringMatching(/16-digit/) }]);
    const query = await api.call('GET', "/v1/runs?requestedBy=x'%20OR%20'1", { as: 'olivia' });
    expect(query.status).toBe(400);
    expect(query.body.errors).toEqual([{ field: 'querystring.requestedBy', rule: expect.stringMatching(/subject/) }]);
    expect((await api.call('GET', '/v1/runs?color=red', { as: 'olivia' })).body.errors).toEqual([
      { field: 'querystring.color', rule: 'is not a known field' },
    ]);
  });

  test('a body over the limit is 413; a body that is not JSON is 415', async () => {
    const big = await start({
      target: { type: 'user', name: 'alice' },
      reason: 'departure',
      comment: 'x'.repeat(4000),
    });
    expect(big.status).toBe(413);
    expect(big.body.type).toBe('urn:acs-offboarding:problem:too-large');
    const form = await api.call('POST', '/v1/offboardings', {
      as: 'hr-jane',
      rawBody: 'target=alice',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
  });

  test('the same request, valid, is the first to try Temporal: 503', async () => {
    const res = await start({ target: { type: 'user', name: 'alice' }, reason: 'departure' });
    expect(res.status).toBe(503);
    expect(res.body.type).toBe('urn:acs-offboarding:problem:temporal-unavailable');
  });

  test('the role check comes before the body is looked at', async () => {
    const res = await api.call('POST', '/v1/offboardings', { as: 'bob', body: { nonsense: true } });
    expect(res.status).toBe(403);
    expect(res.body.missingRole).toBe('hr');
  });
});

test('the log carries no token, cookie or password', async () => {
  const token = await api.token('sam');
  await api.call('GET', '/v1/me', { token, headers: { cookie: 'offboard_session=secret-cookie' } });
  const log = api.output();
  expect(log).not.toContain(token);
  expect(log).not.toContain('secret-cookie');
  for (const password of Object.values(api.passwords())) expect(log).not.toContain(password);
});
