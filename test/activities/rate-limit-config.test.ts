/**
 * The rate limit's configuration (OFFBOARD_ALIBABA_RATE_LIMITS and the metrics variables, refused with the variable
 * and the rule), its figures (documented quotas, a group over its operations), its table against the emulator's
 * catalogue of operations, and its slots on a fake clock (no wall time: the spread against the emulator's quota model
 * is rate-limit.test.ts in test/workflows).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../config/env';
import { loadWorkerConfig } from '../../config/worker';
import {
  ALIBABA_OPERATIONS,
  DOCUMENTED_RATE_LIMITS,
  limitOf,
  quotaGroupOf,
  rateLimiter,
  UNLISTED_LIMIT,
} from '../../activities/rate-limit';
import { csActions } from '../../emulator/cs';
import { imsActions } from '../../emulator/ims';
import { ramActions } from '../../emulator/ram';
import { stsActions } from '../../emulator/sts';
import { RAM_DOCUMENTED_QUOTAS } from '../../emulator';

const dataDir = mkdtempSync(join(tmpdir(), 'offboard-rate-limit-'));
const load = (env: Record<string, string>) => loadWorkerConfig({ OFFBOARD_DATA_DIR: dataDir, ...env });

function problemsOf(env: Record<string, string>): string {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.join('\n');
  }
  throw new Error('the configuration was accepted');
}

describe('OFFBOARD_ALIBABA_RATE_LIMITS', () => {
  test('unset: the documented quotas (RAM reads 100/s, writes 20/s, attach/detach and groups 10/s), CS 100/s', () => {
    const { rateLimits } = load({});
    expect(limitOf('GetUser', rateLimits)).toBe(100);
    expect(limitOf('DeleteUser', rateLimits)).toBe(20);
    expect(limitOf('AttachPolicyToUser', rateLimits)).toBe(10);
    expect(limitOf('RemoveUserFromGroup', rateLimits)).toBe(10);
    expect(limitOf('CleanUserPermissions', rateLimits)).toBe(100);
  });

  test('groups and operations: an operation key wins, a group caps the documented figures of its operations', () => {
    const { rateLimits } = load({ OFFBOARD_ALIBABA_RATE_LIMITS: 'ram-write=5, cs=50,DeleteUser=2,ram-read=200' });
    expect(limitOf('DeleteUser', rateLimits)).toBe(2);
    expect(limitOf('UpdateAccessKey', rateLimits)).toBe(5);
    // Documented 10/s, under a group set to 5: the lower figure.
    expect(limitOf('AttachPolicyToUser', rateLimits)).toBe(5);
    expect(limitOf('ListUserKubeConfigStates', rateLimits)).toBe(50);
    expect(limitOf('GetUser', rateLimits)).toBe(200);
  });

  test('off: no limit at all', () => {
    const { rateLimits } = load({ OFFBOARD_ALIBABA_RATE_LIMITS: 'off' });
    expect(rateLimits).toBe('off');
    expect(limitOf('DeleteUser', rateLimits)).toBeUndefined();
  });

  test('refused with the variable and the rule: unknown keys, non-positive or non-integer figures, bad items, repeats', () => {
    const problems = problemsOf({
      OFFBOARD_ALIBABA_RATE_LIMITS: 'ram-wirte=20,cs=0,DeleteUser=-1,ims=2.5,sts,GetUser=3,GetUser=4',
    });
    expect(problems).toMatch(
      /OFFBOARD_ALIBABA_RATE_LIMITS: unknown key "ram-wirte": must be ram-read, ram-write, cs, ims, sts or an Alibaba operation/,
    );
    expect(problems).toMatch(/OFFBOARD_ALIBABA_RATE_LIMITS: cs: must be a whole number of calls per second above 0/);
    expect(problems).toMatch(/OFFBOARD_ALIBABA_RATE_LIMITS: DeleteUser: must be a whole number .* \(got "-1"\)/);
    expect(problems).toMatch(/OFFBOARD_ALIBABA_RATE_LIMITS: ims: must be a whole number .* \(got "2.5"\)/);
    expect(problems).toMatch(/OFFBOARD_ALIBABA_RATE_LIMITS: "sts" is not key=calls-per-second/);
    expect(problems).toMatch(/OFFBOARD_ALIBABA_RATE_LIMITS: GetUser: given twice/);
  });
});

describe('the other back-pressure and metrics variables', () => {
  test('metrics off unless a port is given; loopback by default', () => {
    const off = load({});
    expect(off.metrics).toBeUndefined();
    expect(off.sdkMetrics).toBeUndefined();
    expect(off.taskQueueActivitiesPerSecond).toBeUndefined();
    const on = load({
      OFFBOARD_METRICS_PORT: '9464',
      OFFBOARD_SDK_METRICS_PORT: '9465',
      OFFBOARD_TASK_QUEUE_ACTIVITIES_PER_SECOND: '40',
    });
    expect(on.metrics).toEqual({ host: '127.0.0.1', port: 9464, stageIntervalMs: 30_000 });
    expect(on.sdkMetrics).toEqual({ host: '127.0.0.1', port: 9465 });
    expect(on.taskQueueActivitiesPerSecond).toBe(40);
  });

  test('refused with the variable and the rule', () => {
    const problems = problemsOf({
      OFFBOARD_METRICS_PORT: '70000',
      OFFBOARD_SDK_METRICS_PORT: 'http',
      OFFBOARD_METRICS_HOST: 'host name',
      OFFBOARD_METRICS_STAGE_INTERVAL: 'often',
      OFFBOARD_TASK_QUEUE_ACTIVITIES_PER_SECOND: '0',
    });
    expect(problems).toMatch(/OFFBOARD_METRICS_PORT: must be a TCP port \(1-65535\)/);
    expect(problems).toMatch(/OFFBOARD_SDK_METRICS_PORT: must be a TCP port \(1-65535\)/);
    expect(problems).toMatch(/OFFBOARD_METRICS_HOST: must be a host name or IP address/);
    expect(problems).toMatch(/OFFBOARD_METRICS_STAGE_INTERVAL: must be a duration/);
    expect(problems).toMatch(
      /OFFBOARD_TASK_QUEUE_ACTIVITIES_PER_SECOND: must be a number of activity starts per second above 0/,
    );
    expect(problemsOf({ OFFBOARD_METRICS_PORT: '9464', OFFBOARD_SDK_METRICS_PORT: '9464' })).toMatch(
      /OFFBOARD_SDK_METRICS_PORT: must differ from OFFBOARD_METRICS_PORT/,
    );
  });
});

describe('the operation table', () => {
  test("every operation the emulator serves is listed, in the emulator's quota group", () => {
    const served = [...csActions, ...ramActions, ...stsActions, ...imsActions];
    for (const def of served) {
      const group = def.product === 'ram' ? (def.need === 'ram-write' ? 'ram-write' : 'ram-read') : def.product;
      expect({ operation: def.name, group: quotaGroupOf(def.name as never) }).toEqual({ operation: def.name, group });
    }
    expect(ALIBABA_OPERATIONS).toEqual(expect.arrayContaining(served.map((d) => d.name)));
  });

  test("RAM's documented defaults are the emulator's", () => {
    for (const [key, value] of Object.entries(RAM_DOCUMENTED_QUOTAS)) {
      expect({ key, value: DOCUMENTED_RATE_LIMITS[key as keyof typeof DOCUMENTED_RATE_LIMITS] }).toEqual({
        key,
        value,
      });
    }
  });

  test('an operation missing from the table is still limited, at the lowest documented figure', () => {
    expect(limitOf('SomeNewOperation', {})).toBe(UNLISTED_LIMIT);
  });
});

describe('the slots (on a fake clock)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  /** Lets the limiter's promises settle. */
  const settle = () => jest.advanceTimersByTimeAsync(0);

  test('N calls per window per operation, a slot freed one window after its answer, in order of arrival', async () => {
    const limiter = rateLimiter({ DeleteUser: 2 });
    const granted: number[] = [];
    const permits = [1, 2, 3, 4].map((i) =>
      limiter.acquire('DeleteUser').then((p) => {
        granted.push(i);
        return p;
      }),
    );
    // Another operation has slots of its own.
    await limiter.acquire('DeleteRole');
    await settle();
    expect(granted).toEqual([1, 2]);
    const [first, second] = await Promise.all(permits.slice(0, 2));
    first.release();
    await jest.advanceTimersByTimeAsync(999);
    expect(granted).toEqual([1, 2]);
    await jest.advanceTimersByTimeAsync(1);
    expect(granted).toEqual([1, 2, 3]);
    // A call still in flight holds its slot however long it takes.
    await jest.advanceTimersByTimeAsync(60_000);
    expect(granted).toEqual([1, 2, 3]);
    second.release();
    await jest.advanceTimersByTimeAsync(1000);
    expect(granted).toEqual([1, 2, 3, 4]);
    expect((await permits[3]).waitedMs).toBe(62_000);
  });

  test('a cancelled wait gives up its place: the call is not made and takes no slot', async () => {
    const limiter = rateLimiter({ DeleteUser: 1 });
    const held = await limiter.acquire('DeleteUser');
    const cancel = new AbortController();
    const waiting = limiter.acquire('DeleteUser', cancel.signal);
    const next = limiter.acquire('DeleteUser');
    cancel.abort(new Error('activity cancelled'));
    await expect(waiting).rejects.toThrow('activity cancelled');
    held.release();
    await jest.advanceTimersByTimeAsync(1000);
    await expect(next).resolves.toMatchObject({ waitedMs: 1000 });
  });

  test('off: every call at once', async () => {
    const limiter = rateLimiter('off');
    const permits = await Promise.all(Array.from({ length: 500 }, () => limiter.acquire('DeleteUser')));
    expect(permits.every((p) => p.waitedMs === 0)).toBe(true);
  });
});
