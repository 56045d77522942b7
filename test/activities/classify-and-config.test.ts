import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyFacts, makeRedactor, toFailure } from '../../activities/classify';
import { AlibabaErrorCodes as C } from '../../common/alibaba-error-codes';
import { FailureType } from '../../common/errors';
import { ConfigError } from '../../config/env';
import { describeConfig, loadWorkerConfig } from '../../config/worker';
import { loadAlibabaEndpoints, loadAlibabaSettings } from '../../config/alibaba';
import { ensureLocalPayloadKeys, PayloadKeyring } from '../../config/payload-keys';
import { ensureLocalKeys } from '../../config/trust-keys';
import { loadTemporalConfig, temporalConnectionOptions } from '../../config/temporal';

describe('classification of Alibaba errors', () => {
  test.each([
    [C.throttling, 400, FailureType.Throttled],
    [C.internalError, 500, FailureType.Unavailable],
    [C.serviceUnavailable, 503, FailureType.Unavailable],
    [C.csForbidden, 403, FailureType.AccessDenied],
    [C.noPermission, 403, FailureType.AccessDenied],
    [C.signatureDoesNotMatch, 400, FailureType.AccessDenied],
    [C.userNotFound, 404, FailureType.NotFound],
    [C.rolePolicyNotFound, 404, FailureType.NotFound],
    [C.clusterNotFound, 404, FailureType.NotFound],
    [C.deleteConflictUserGroup, 409, FailureType.Conflict],
    [C.limitExceededAccessKey, 409, FailureType.Conflict],
    [C.invalidUserName, 400, FailureType.InvalidInput],
    [C.cleanSelfNotSupported, 400, FailureType.InvalidInput],
    [C.cleanRootNotSupported, 400, FailureType.InvalidInput],
    [C.recentClusterAccess, 400, FailureType.RecentClusterAccess],
  ])('%s (HTTP %i) → %s', (code, statusCode, type) => {
    expect(classifyFacts({ operation: 'op', code, statusCode, message: 'm' })).toBe(type);
  });

  test('errors without an HTTP answer: timeouts, resets and non-JSON bodies are Unavailable; the rest Unexpected', () => {
    expect(
      classifyFacts({ operation: 'op', message: 'ReadTimeout(10000). GET http://x failed.' }, 'RequestTimeoutError'),
    ).toBe(FailureType.Unavailable);
    expect(classifyFacts({ operation: 'op', code: 'ECONNRESET', message: 'socket hang up' })).toBe(
      FailureType.Unavailable,
    );
    expect(classifyFacts({ operation: 'op', message: 'Unexpected token <' }, 'SyntaxError')).toBe(
      FailureType.Unavailable,
    );
    expect(classifyFacts({ operation: 'op', message: 'x is not a function' }, 'TypeError')).toBe(
      FailureType.Unexpected,
    );
  });

  test('retryable types only are retryable; the message keeps code, status and request id, and loses secrets', () => {
    const redact = makeRedactor(['superSecretValue123']);
    const err = Object.assign(new Error('StatusForbidden: code: 403, denied superSecretValue123 request id: R1'), {
      name: 'ClientError',
      code: 'StatusForbidden',
      statusCode: 403,
      requestId: 'R1',
      data: { code: 'StatusForbidden', message: 'denied superSecretValue123' },
    });
    const f = toFailure('CleanUserPermissions', err, redact);
    expect(f).toMatchObject({ type: FailureType.AccessDenied, nonRetryable: true });
    expect(f.message).toBe(
      'CleanUserPermissions failed: AccessDenied (StatusForbidden, HTTP 403): denied [REDACTED] [request R1]',
    );
    expect(JSON.stringify(f.details)).not.toContain('superSecretValue123');
    const t = toFailure(
      'GetUser',
      Object.assign(new Error('x'), { name: 'ThrottlingError', code: C.throttling, statusCode: 400 }),
      redact,
    );
    expect(t.nonRetryable).toBe(false);
  });
});

test('item 8: a failure keeps the code, status, operation and request id: never the SDK message, its URL or query', () => {
  const redact = makeRedactor([]);
  const dropped = Object.assign(
    new Error('socket hang upPOST http://127.0.0.1:18080/?Password=Secret-Pw-1234Aa1!&UserName=bob failed.'),
    { code: 'ECONNRESET' },
  );
  const f = toFailure('CreateLoginProfile', dropped, redact);
  expect(f).toMatchObject({ type: FailureType.Unavailable, nonRetryable: false });
  expect(f.message).toBe(
    'CreateLoginProfile failed: Unavailable (ECONNRESET): no answer from the service (Error ECONNRESET): socket hang up',
  );
  const answered = Object.assign(new Error('code: 400, bad GET https://ram.aliyuncs.com/?Password=x request id: R2'), {
    name: 'ClientError',
    code: 'InvalidParameter.Password',
    statusCode: 400,
    data: {
      Code: 'InvalidParameter.Password',
      Message: 'The password does not match the policy; see https://help.aliyun.com/x?p=1\u001b[2J',
      RequestId: 'R2',
    },
  });
  const g = toFailure('CreateLoginProfile', answered, redact);
  expect(g.message).toBe(
    'CreateLoginProfile failed: InvalidInput (InvalidParameter.Password, HTTP 400): The password does not match the policy; see [url] [request R2]',
  );
  for (const text of [f.message, g.message, JSON.stringify([f.details, g.details])]) {
    expect(text).not.toMatch(/Password=|\?|127\.0\.0\.1|ram\.aliyuncs/);
  }
});

describe('worker configuration', () => {
  test('Worker Versioning needs a deployment name and a build id together; the cache size is a bounded count', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'offboard-data-'));
    const base = { OFFBOARD_DATA_DIR: dataDir };
    expect(loadWorkerConfig(base).deployment).toBeUndefined();
    expect(loadWorkerConfig(base).workflowCacheSize).toBeUndefined();
    const versioned = loadWorkerConfig({
      ...base,
      OFFBOARD_DEPLOYMENT_NAME: 'acs-offboarding',
      OFFBOARD_BUILD_ID: '1a2b3c',
    });
    expect(versioned.deployment).toEqual({ deploymentName: 'acs-offboarding', buildId: '1a2b3c' });
    expect(() => loadWorkerConfig({ ...base, OFFBOARD_BUILD_ID: '1a2b3c' })).toThrow(
      /OFFBOARD_DEPLOYMENT_NAME and OFFBOARD_BUILD_ID: set both/,
    );
    expect(() => loadWorkerConfig({ ...base, OFFBOARD_DEPLOYMENT_NAME: 'a b', OFFBOARD_BUILD_ID: 'x' })).toThrow(
      /OFFBOARD_DEPLOYMENT_NAME: must be 1-100 letters/,
    );
    expect(loadWorkerConfig({ ...base, OFFBOARD_WORKFLOW_CACHE_SIZE: '0' }).workflowCacheSize).toBe(0);
    expect(() => loadWorkerConfig({ ...base, OFFBOARD_WORKFLOW_CACHE_SIZE: '1.5' })).toThrow(
      /OFFBOARD_WORKFLOW_CACHE_SIZE: must be a whole number of runs from 0 to 100000/,
    );
  });

  test('emulator defaults, the demo key of the worker when no credentials are set, and local signing keys', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'offboard-data-'));
    const c = loadWorkerConfig({ OFFBOARD_DATA_DIR: dataDir });
    expect(c.temporal).toEqual({
      address: '127.0.0.1:7233',
      namespace: 'default',
      taskQueue: 'offboarding',
      apiKey: undefined,
      tls: undefined,
      payloadKeys: expect.any(PayloadKeyring),
    });
    // The installation's own payload keys too, made on first use (0600).
    expect(c.temporal.payloadKeys.source).toBe(join(dataDir, 'keys', 'payload-keys.json'));
    expect(statSync(c.temporal.payloadKeys.source).mode & 0o077).toBe(0);
    expect(c.alibaba).toMatchObject({
      mode: 'emulator',
      csEndpoint: '127.0.0.1:18080',
      ramEndpoint: '127.0.0.1:18080',
      protocol: 'http',
      region: 'cn-hangzhou',
      accountId: '1234567890123456',
      workerIdentity: 'user/offboarding-bot',
    });
    expect(c.alibaba.fixtureKey?.accessKeyId).toBe('LTAIdemoOffboardBot001');
    // The installation's own key pair, made on first use: the worker trusts its public half.
    expect(c.trust.keysPath).toBe(join(dataDir, 'keys', 'trusted.jwks.json'));
    expect(c.trust.keys).toHaveLength(1);
    expect(c.trust.issuer).toBe('acs-offboarding');
    expect(readFileSync(c.trust.keysPath, 'utf8')).not.toMatch(/"d"/);
    expect(statSync(join(dataDir, 'keys', 'signing.jwks.json')).mode & 0o077).toBe(0);
    expect(loadWorkerConfig({ OFFBOARD_DATA_DIR: dataDir }).trust.keys).toEqual(c.trust.keys);
    const text = describeConfig(c);
    expect(text).toMatch(/demo fixture key LTAIdemoOffboardBot001/);
    expect(text).not.toContain(c.alibaba.fixtureKey?.accessKeySecret as string);
  });

  test('every bad variable is named with its rule, all at once', () => {
    let err: unknown;
    try {
      loadWorkerConfig({
        TEMPORAL_ADDRESS: 'nohostport',
        OFFBOARD_ALIBABA_MODE: 'prod',
        OFFBOARD_REGION: 'Hangzhou',
        OFFBOARD_TRUSTED_KEYS: '/dev/null',
        OFFBOARD_NOTIFY_WEBHOOK: 'ftp://x',
        OFFBOARD_RECENT_USE_WINDOW: 'a week',
        TEMPORAL_TLS_CERT: '/does/not/exist.pem',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/TEMPORAL_ADDRESS: must be host:port/);
    expect(problems).toMatch(/OFFBOARD_ALIBABA_MODE: must be "emulator" \(default\) or "live" \(got "prod"\)/);
    expect(problems).toMatch(/OFFBOARD_REGION: must be a region id/);
    expect(problems).toMatch(/OFFBOARD_TRUSTED_KEYS: \/dev\/null: not a readable JSON file/);
    expect(problems).toMatch(/OFFBOARD_NOTIFY_WEBHOOK: must be an http\(s\) URL/);
    expect(problems).toMatch(/OFFBOARD_RECENT_USE_WINDOW: must be a duration/);
    expect(problems).toMatch(/TEMPORAL_TLS_CERT: must be the path of an existing/);
    expect(problems).toMatch(/TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: must be set together/);
  });

  test('live mode only when asked, and then account, worker identity and the trusted keys are required', () => {
    const err = (() => {
      try {
        loadWorkerConfig({
          OFFBOARD_ALIBABA_MODE: 'live',
          ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's',
        });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err.problems.join('\n')).toMatch(/OFFBOARD_ACCOUNT_ID: is required in live mode/);
    expect(err.problems.join('\n')).toMatch(/OFFBOARD_WORKER_IDENTITY: is required in live mode/);
    expect(err.problems.join('\n')).toMatch(/OFFBOARD_TRUSTED_KEYS: is required in live mode/);
    expect(err.problems.join('\n')).toMatch(/OFFBOARD_PAYLOAD_KEYS: is required outside emulator mode/);
    const keysDir = mkdtempSync(join(tmpdir(), 'keys-'));
    const live = loadWorkerConfig({
      OFFBOARD_ALIBABA_MODE: 'live',
      OFFBOARD_ACCOUNT_ID: '1111222233334444',
      OFFBOARD_WORKER_IDENTITY: 'role/offboarder',
      OFFBOARD_TRUSTED_KEYS: ensureLocalKeys(keysDir).trustedKeysPath,
      OFFBOARD_PAYLOAD_KEYS: ensureLocalPayloadKeys(keysDir),
    });
    expect(live.alibaba).toMatchObject({
      mode: 'live',
      protocol: 'https',
      csEndpoint: undefined,
      fixtureKey: undefined,
    });
  });

  test("the Alibaba part (account, identity, endpoints) loads in live mode without the worker's trusted keys", () => {
    const env = {
      OFFBOARD_ALIBABA_MODE: 'live',
      OFFBOARD_ACCOUNT_ID: '1111222233334444',
      OFFBOARD_WORKER_IDENTITY: 'role/offboarder',
    };
    expect(loadAlibabaSettings(env)).toMatchObject({
      mode: 'live',
      accountId: '1111222233334444',
      workerIdentity: 'role/offboarder',
    });
    expect(() => loadWorkerConfig(env)).toThrow(/OFFBOARD_TRUSTED_KEYS: is required in live mode/);
    expect(() => loadAlibabaSettings({ OFFBOARD_ALIBABA_MODE: 'live' })).toThrow(/OFFBOARD_ACCOUNT_ID: is required/);
  });

  test("a person's own call (revoke-own) needs the endpoints only, not the worker's account or identity", () => {
    expect(loadAlibabaEndpoints({ OFFBOARD_ALIBABA_MODE: 'live', OFFBOARD_REGION: 'cn-shanghai' })).toEqual({
      mode: 'live',
      csEndpoint: undefined,
      ramEndpoint: undefined,
      stsEndpoint: undefined,
      imsEndpoint: undefined,
      protocol: 'https',
      region: 'cn-shanghai',
    });
    expect(loadAlibabaEndpoints({})).toMatchObject({
      mode: 'emulator',
      csEndpoint: '127.0.0.1:18080',
      protocol: 'http',
    });
    expect(() => loadAlibabaEndpoints({ OFFBOARD_ALIBABA_MODE: 'live', OFFBOARD_REGION: 'Hangzhou' })).toThrow(
      /OFFBOARD_REGION: must be a region id/,
    );
  });

  test('Temporal connection options: API key implies TLS; mTLS reads the files', () => {
    expect(temporalConnectionOptions(loadTemporalConfig({ TEMPORAL_API_KEY: 'k' }))).toMatchObject({
      apiKey: 'k',
      tls: true,
    });
    const dir = mkdtempSync(join(tmpdir(), 'tls-'));
    for (const f of ['c.pem', 'k.pem']) writeFileSync(join(dir, f), f);
    const opts = temporalConnectionOptions(
      loadTemporalConfig({ TEMPORAL_TLS_CERT: join(dir, 'c.pem'), TEMPORAL_TLS_KEY: join(dir, 'k.pem') }),
    );
    expect(opts.tls).toMatchObject({ clientCertPair: { crt: Buffer.from('c.pem'), key: Buffer.from('k.pem') } });
  });
});
