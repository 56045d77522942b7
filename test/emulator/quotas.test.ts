import * as $Ram from '@alicloud/ram20150501';
import * as $dara from '@darabonba/typescript';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { RAM_DOCUMENTED_QUOTAS, type RunningEmulator, startEmulator } from '../../emulator';
import { admin, clients, journal, setOptions, sleep, startWithFixture } from './clients';

/**
 * The optional quota model (issue 12): calls per second per API per account, beyond which the service answers
 * Throttling.User — so a client-side rate limiter can be tested against a real limit. Off by default.
 */

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
beforeEach(() => emu.reset());
afterAll(() => emu.close());

const deactivate = (ram = clients(emu).ram) =>
  ram.updateAccessKey(
    new $Ram.UpdateAccessKeyRequest({
      userName: 'alice',
      userAccessKeyId: 'LTAIdemoAlice000000001',
      status: 'Inactive',
    }),
  );
const getAlice = (ram = clients(emu).ram) => ram.getUser(new $Ram.GetUserRequest({ userName: 'alice' }));

test('off by default: 30 writes in a burst all pass', async () => {
  for (let i = 0; i < 30; i++) await deactivate();
});

test('ram-write 5/s: a burst of 8 writes gets 5 through and 3 Throttling.User with the wait in x-acs-retry-after', async () => {
  await setOptions(emu, { quotas: { 'ram-write': 5 } });
  const burst = await Promise.allSettled(Array.from({ length: 8 }, () => deactivate()));
  expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
  const errors = burst.flatMap((r) => (r.status === 'rejected' ? [r.reason as Record<string, unknown>] : []));
  expect(errors.map((e) => [e.name, e.code, e.statusCode])).toEqual(
    Array(3).fill(['ThrottlingError', E.throttling, 400]),
  );
  expect(errors[0].message).toContain('Request was denied due to user flow control.');
  const retryAfter = Number(errors[0].retryAfter);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(1000);
  // A write quota does not limit reads.
  await Promise.all(Array.from({ length: 10 }, () => getAlice()));
  // After the wait the next write passes: the throttled ones did not count.
  await sleep(retryAfter);
  await deactivate();
  const entries = (await journal(emu)).filter((e) => e.action === 'UpdateAccessKey');
  expect(entries.filter((e) => e.errorCode === E.throttling)).toHaveLength(3);
  expect(entries.at(-1)?.outcome).toBe('success');
});

test('GET /__emulator/quotas counts each limited operation’s admitted and throttled calls; reset clears the counts', async () => {
  await setOptions(emu, { quotas: { 'ram-write': 5 } });
  await Promise.allSettled(Array.from({ length: 8 }, () => deactivate()));
  await getAlice(); // no quota on reads: not counted
  expect(await admin(emu, 'GET', 'quotas')).toEqual({
    quotas: { 'ram-write': 5 },
    calls: { UpdateAccessKey: { limit: 5, admitted: 5, throttled: 3 } },
  });
  await admin(emu, 'POST', 'reset');
  expect(await admin(emu, 'GET', 'quotas')).toEqual({ quotas: {}, calls: {} });
});

test('the most specific key wins: an operation over its group over *', async () => {
  await setOptions(emu, { quotas: { '*': 1000, 'ram-read': 2, GetUser: 3 } });
  const outcomes = async (call: () => Promise<unknown>, n: number) =>
    (await Promise.allSettled(Array.from({ length: n }, call))).map((r) => r.status);
  expect((await outcomes(getAlice, 4)).sort()).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
  const listKeys = () => clients(emu).ram.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: 'alice' }));
  expect((await outcomes(listKeys, 3)).sort()).toEqual(['fulfilled', 'fulfilled', 'rejected']);
});

test('an SDK configured to retry on ThrottlingError waits out x-acs-retry-after and gets through', async () => {
  await setOptions(emu, { quotas: { UpdateAccessKey: 2 } });
  const retrying = clients(emu, 'user/offboarding-bot', {
    retryOptions: new $dara.RetryOptions({
      retryable: true,
      retryCondition: [
        new $dara.RetryCondition({
          maxAttempts: 3,
          exception: ['ThrottlingError'],
          backoff: new $dara.BackoffPolicy({ policy: 'Fixed', period: 10 }),
        }),
      ],
    }),
  }).ram;
  const started = Date.now();
  for (let i = 0; i < 4; i++) await deactivate(retrying);
  // Four calls at 2 per second take at least one wait of a second's remainder.
  expect(Date.now() - started).toBeGreaterThanOrEqual(900);
});

test('RAM’s documented quotas are a ready-made setting; unknown keys are refused, at run time and in a fixture', async () => {
  expect(await setOptions(emu, { quotas: RAM_DOCUMENTED_QUOTAS })).toMatchObject({ quotas: { 'ram-write': 20 } });
  await expect(setOptions(emu, { quotas: { DeleteUsers: 20 } })).rejects.toThrow(
    /400.*unknown operation or group DeleteUsers/,
  );
  await expect(setOptions(emu, { quotas: { DeleteUser: 0 } })).rejects.toThrow(/400/);
  await expect(
    startWithFixture((f) => {
      f.options = { quotas: { 'ram-writes': 20 } };
    }),
  ).rejects.toThrow(/unknown operation or group ram-writes/);
  // The quota resets with the emulator.
  await admin(emu, 'POST', 'reset');
  expect(await admin(emu, 'GET', 'options')).toMatchObject({ quotas: {} });
});
