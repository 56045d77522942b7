import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as $Cs from '@alicloud/cs20151215';
import * as $Ram from '@alicloud/ram20150501';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { fixtureCredentials, type RunningEmulator, startEmulator } from '../../emulator';
import { admin, clients, clientsWithKey, journal, sdkError, UID } from './clients';

/**
 * The gateway side: ACS3-HMAC-SHA256 verification (a wrong secret must fail loudly, as in production), replay
 * protection, and fault injection — each fault must reach the SDK as the error a real outage gives.
 */

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
beforeEach(() => emu.reset());
afterAll(() => emu.close());

const getAlice = (ram = clients(emu).ram) => ram.getUser(new $Ram.GetUserRequest({ userName: 'alice' }));

interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A pass-through proxy that records the exact bytes of the signed requests the SDK sends. */
async function captureProxy(
  target: RunningEmulator,
): Promise<{ endpoint: string; captured: Captured[]; close(): Promise<void> }> {
  const captured: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      captured.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const upstream = request(
        { port: target.port, host: '127.0.0.1', method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode!, up.headers);
          up.pipe(res);
        },
      );
      upstream.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `127.0.0.1:${port}`,
    captured,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Sends raw bytes to the emulator and returns status and parsed JSON body. */
function send(
  req: Captured,
  headers: IncomingHttpHeaders = req.headers,
  url = req.url,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const r = request({ port: emu.port, host: '127.0.0.1', method: req.method, path: url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
      );
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

describe('signatures', () => {
  test('a wrong secret fails loudly with SignatureDoesNotMatch 400, for both products', async () => {
    const bad = clientsWithKey(emu, 'LTAIdemoOffboardBot001', 'not-the-secret');
    const ramErr = await sdkError(getAlice(bad.ram));
    expect([ramErr.name, ramErr.code, ramErr.statusCode]).toEqual(['ClientError', E.signatureDoesNotMatch, 400]);
    const csErr = await sdkError(bad.cs.describeClustersV1(new $Cs.DescribeClustersV1Request({})));
    expect([csErr.name, csErr.code, csErr.statusCode]).toEqual(['ClientError', E.signatureDoesNotMatch, 400]);
    // Nothing the handler would do happened, and the journal names the key that tried.
    const entries = await journal(emu);
    expect(entries.map((e) => [e.action, e.outcome, e.errorCode, e.caller.accessKeyId, e.caller.identity])).toEqual([
      ['GetUser', 'error', E.signatureDoesNotMatch, 'LTAIdemoOffboardBot001', 'anonymous'],
      ['DescribeClustersV1', 'error', E.signatureDoesNotMatch, 'LTAIdemoOffboardBot001', 'anonymous'],
    ]);
  });

  test('values with spaces, quotes, brackets, stars and non-ASCII verify (decoded, then re-encoded as the SDK signs)', async () => {
    const { ram } = clients(emu);
    const displayName = "Zoë O'Brien (ops) *on-call* ~ a+b!";
    const { body } = await ram.createUser(
      new $Ram.CreateUserRequest({ userName: 'zoe', displayName, comments: '50% & more' }),
    );
    expect(body?.user).toMatchObject({ displayName, comments: '50% & more' });
  });

  test('an unknown access key id is InvalidAccessKeyId.NotFound 404', async () => {
    const err = await sdkError(getAlice(clientsWithKey(emu, 'LTAIunknown00000000000', 'whatever').ram));
    expect([err.code, err.statusCode]).toEqual([E.accessKeyNotFound, 404]);
  });

  test('an x-acs-date more than 15 minutes off is InvalidTimeStamp.Expired, even when correctly signed', async () => {
    const stale = new Date(Date.now() - 16 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // globalParameters headers override the SDK's own x-acs-date and are signed with it.
    const { ram } = clients(emu, 'user/offboarding-bot', {
      globalParameters: new $OpenApiUtil.GlobalParameters({ headers: { 'x-acs-date': stale } }),
    });
    const err = await sdkError(getAlice(ram));
    expect([err.code, err.statusCode]).toEqual([E.timestampExpired, 400]);
    const future = new Date(Date.now() + 16 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const { cs } = clients(emu, 'user/offboarding-bot', {
      globalParameters: new $OpenApiUtil.GlobalParameters({ headers: { 'x-acs-date': future } }),
    });
    expect((await sdkError(cs.describeClustersV1(new $Cs.DescribeClustersV1Request({})))).code).toBe(
      E.timestampExpired,
    );
    // A date that is not ISO 8601 UTC is a format error.
    const { ram: badDate } = clients(emu, 'user/offboarding-bot', {
      globalParameters: new $OpenApiUtil.GlobalParameters({ headers: { 'x-acs-date': 'yesterday' } }),
    });
    const formatErr = await sdkError(getAlice(badDate));
    expect([formatErr.code, formatErr.statusCode]).toEqual([E.timestampFormat, 400]);
    // Within the window is fine.
    const recent = new Date(Date.now() - 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await getAlice(
      clients(emu, 'user/offboarding-bot', {
        globalParameters: new $OpenApiUtil.GlobalParameters({ headers: { 'x-acs-date': recent } }),
      }).ram,
    );
  });

  test('a raw replay of a captured signed request is SignatureNonceUsed; altering it breaks the signature', async () => {
    const proxy = await captureProxy(emu);
    try {
      // The worker's own credentials, through the proxy so the exact request bytes are recorded.
      const bot = fixtureCredentials(emu.fixture, 'user/offboarding-bot');
      const proxied = clientsWithKey(emu, bot.accessKeyId, bot.accessKeySecret, proxy.endpoint).ram;
      await proxied.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest({ userName: 'bob' }));
      const [original] = proxy.captured;

      const replay = await send(original);
      expect(replay).toEqual({
        status: 400,
        body: expect.objectContaining({ Code: E.signatureNonceUsed, HostId: 'ram.aliyuncs.com' }),
      });
      // A fresh nonce under the old signature does not verify: the nonce is signed.
      const renonced = await send(original, { ...original.headers, 'x-acs-signature-nonce': 'f'.repeat(64) });
      expect(renonced.body).toMatchObject({ Code: E.signatureDoesNotMatch });
      // Nor does a changed parameter.
      const retargeted = await send(
        original,
        { ...original.headers, 'x-acs-signature-nonce': 'e'.repeat(64) },
        '/?UserName=alice',
      );
      expect(retargeted.body).toMatchObject({ Code: E.signatureDoesNotMatch });
      // alice's login profile is untouched; bob's was deleted exactly once.
      const deletes = (await journal(emu)).filter((e) => e.action === 'DeleteLoginProfile');
      expect(deletes.map((e) => [e.outcome, e.errorCode])).toEqual([
        ['success', undefined],
        ['error', E.signatureNonceUsed],
        ['error', E.signatureDoesNotMatch],
        ['error', E.signatureDoesNotMatch],
      ]);
    } finally {
      await proxy.close();
    }
  });

  test('a request without an Authorization header is IncompleteSignature; an unknown route is InvalidAction.NotFound', async () => {
    const res = await fetch(`${emu.url}/?UserName=alice`, {
      method: 'POST',
      headers: { 'x-acs-action': 'GetUser', 'x-acs-version': '2015-05-01' },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ Code: E.incompleteSignature });
    const unknown = await fetch(`${emu.url}/no/such/path`, { headers: { 'x-acs-version': '2015-12-15' } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: E.actionNotFound });
  });
});

describe('faults', () => {
  test('throttle: the SDK throws ThrottlingError with code Throttling.User and the retry-after hint', async () => {
    await admin(emu, 'POST', 'faults', {
      rules: [{ action: 'GetUser', kind: 'throttle', count: 1, retryAfterMs: 250 }],
    });
    const err = await sdkError(getAlice());
    expect([err.name, err.code, err.statusCode, err.retryAfter]).toEqual(['ThrottlingError', E.throttling, 400, 250]);
    // count: 1 — the next call goes through.
    await getAlice();
  });

  test('throttled calls are retried by the SDK when the client configures retries', async () => {
    await admin(emu, 'POST', 'faults', { rules: [{ kind: 'throttle', count: 2, retryAfterMs: 10 }] });
    const { ram } = clients(emu, 'user/offboarding-bot', {
      retryOptions: new $dara.RetryOptions({
        retryable: true,
        retryCondition: [new $dara.RetryCondition({ maxAttempts: 3, exception: ['ThrottlingError'] })],
      }),
    });
    const { body } = await getAlice(ram);
    expect(body?.user?.userName).toBe('alice');
    expect((await journal(emu)).map((e) => e.errorCode ?? 'ok')).toEqual([E.throttling, E.throttling, 'ok']);
  });

  test('server-error: ServerError with 503 ServiceUnavailable by default, or the given 5xx as InternalError', async () => {
    await admin(emu, 'POST', 'faults', { rules: [{ action: 'DescribeClustersV1', kind: 'server-error', count: 1 }] });
    const { cs } = clients(emu);
    const err = await sdkError(cs.describeClustersV1(new $Cs.DescribeClustersV1Request({})));
    expect([err.name, err.code, err.statusCode]).toEqual(['ServerError', E.serviceUnavailable, 503]);
    await admin(emu, 'POST', 'faults', { rules: [{ kind: 'server-error', statusCode: 500, count: 1 }] });
    const err500 = await sdkError(getAlice());
    expect([err500.name, err500.code, err500.statusCode]).toEqual(['ServerError', E.internalError, 500]);
  });

  test('drop: the connection is cut without a response, and by default the call has no effect', async () => {
    await admin(emu, 'POST', 'faults', { rules: [{ action: 'DeleteLoginProfile', kind: 'drop', count: 1 }] });
    const { ram } = clients(emu);
    const err = await sdkError(ram.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest({ userName: 'bob' })));
    expect(err.name).toBe('Error');
    expect(err.code).toBe('ECONNRESET');
    await ram.getLoginProfile(new $Ram.GetLoginProfileRequest({ userName: 'bob' }));
    expect((await journal(emu))[0]).toMatchObject({
      action: 'DeleteLoginProfile',
      outcome: 'error',
      statusCode: 0,
      fault: 'drop',
    });
  });

  test('drop with processed: the call takes effect and only the answer is lost (idempotency matters)', async () => {
    await admin(emu, 'POST', 'faults', {
      rules: [{ action: 'DeleteLoginProfile', kind: 'drop', count: 1, processed: true }],
    });
    const { ram } = clients(emu);
    expect((await sdkError(ram.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest({ userName: 'bob' })))).code).toBe(
      'ECONNRESET',
    );
    const retry = await sdkError(ram.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest({ userName: 'bob' })));
    expect(retry.code).toBe(E.loginProfileNotFound);
    // The journal tells what happened here, not what the client saw: the first call succeeded, its answer was lost.
    const calls = (await journal(emu)).filter((e) => e.action === 'DeleteLoginProfile');
    expect(calls.map((e) => [e.outcome, e.errorCode, e.fault])).toEqual([
      ['success', undefined, 'drop'],
      ['error', E.loginProfileNotFound, undefined],
    ]);
  });

  test('latency: with a short readTimeout the SDK times out', async () => {
    await admin(emu, 'POST', 'faults', { rules: [{ action: 'GetUser', kind: 'latency', latencyMs: 400, count: 1 }] });
    const { ram } = clients(emu, 'user/offboarding-bot', { readTimeout: 100 });
    // The client gave up after its own 100 ms, not after the emulator's 400 ms answer.
    const err = await sdkError(getAlice(ram));
    expect(err.name).toBe('RequestTimeoutError');
    expect(err.message).toContain('ReadTimeout(100)');
    // Without a short timeout the same latency is just slow.
    await admin(emu, 'POST', 'faults', { rules: [{ action: 'GetUser', kind: 'latency', latencyMs: 150, count: 1 }] });
    const t0 = Date.now();
    await getAlice();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  test('the same seed gives the same fault schedule; DELETE clears the rules', async () => {
    const schedule = async (seed: number): Promise<string[]> => {
      emu.reset();
      await admin(emu, 'POST', 'faults', {
        seed,
        rules: [
          { kind: 'throttle', probability: 0.3 },
          { kind: 'server-error', probability: 0.3 },
        ],
      });
      const outcomes: string[] = [];
      const { ram } = clients(emu);
      for (let i = 0; i < 40; i++)
        outcomes.push(
          await getAlice(ram).then(
            () => 'ok',
            (e: { name: string }) => e.name,
          ),
        );
      return outcomes;
    };
    const a = await schedule(42);
    const b = await schedule(42);
    const c = await schedule(7);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a)).toEqual(new Set(['ok', 'ThrottlingError', 'ServerError']));
    await admin(emu, 'DELETE', 'faults');
    await getAlice();
    expect((await admin<{ rules: unknown[] }>(emu, 'GET', 'faults')).rules).toEqual([]);
  });

  test('bad fault rules are refused with 400', async () => {
    for (const rules of [
      [{ kind: 'meteor' }],
      [{ action: 'NoSuchAction', kind: 'drop' }],
      [{ action: 'GetUser', kind: 'task-fail' }],
    ]) {
      const res = await fetch(`${emu.url}/__emulator/faults`, { method: 'POST', body: JSON.stringify({ rules }) });
      expect(res.status).toBe(400);
    }
  });
});

test('root access works through both products and the journal records root as the caller', async () => {
  const { cs } = clients(emu, 'root');
  await cs.describeUserPermission(UID.alice);
  expect((await journal(emu))[0]).toMatchObject({
    caller: { identity: 'root', uid: '1234567890123456' },
    product: 'cs',
  });
});
