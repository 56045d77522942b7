/**
 * Activities that must fail closed on what real Alibaba Cloud may answer (issue 13): pages without a total count, a
 * clean task that cannot be found, an answer that is not Alibaba's. Against the emulator through the real SDKs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActivities, consoleNotifier } from '../../activities';
import { activityDepsFromConfig } from '../../activities/from-config';
import { classifyFacts } from '../../activities/classify';
import { FailureType } from '../../common/errors';
import { loadWorkerConfig } from '../../config/worker';
import { startEmulator } from '../../emulator';
import { makeTestTrust } from '../support/trust';
import { failure } from './expect-failure';
import { fixtureWithOwnAccount, setEmulatorOptions, setFaults, workerEnv, type Emulator } from '../workflows/harness';

const ALICE_UID = '2034000000000002';
const alice = { type: 'user' as const, name: 'alice' };
const started: Emulator[] = [];

async function activitiesOver(edit?: (f: Record<string, unknown>) => void) {
  const fixture = fixtureWithOwnAccount(edit);
  const emulator = await startEmulator({ port: 0, fixturePath: fixture.path, taskDelayMs: 100 });
  started.push(emulator);
  const { trustedKeysPath } = await makeTestTrust();
  const config = loadWorkerConfig(
    workerEnv(emulator.endpoint, fixture.accountId, mkdtempSync(join(tmpdir(), 'audit-')), 'unused', trustedKeysPath),
  );
  const acts = createActivities({
    ...(await activityDepsFromConfig(config)),
    notifier: consoleNotifier(() => undefined),
  });
  return { emulator, acts, accountId: fixture.accountId };
}

afterAll(async () => {
  for (const e of started) await e.close();
});

test('item 5c: without total_count, verification reads every page: a usable kubeconfig past the first page is found', async () => {
  const { emulator, acts } = await activitiesOver((f) => {
    f.generatedClusters = { count: 150, kubeconfigsOf: ['user/alice'] };
  });
  await setEmulatorOptions(emulator, { omitKubeconfigStatesTotalCount: true });
  // The first 50 clusters (in id order) and the two demo clusters are cleaned; c-gen-0051… are not.
  const firstPage = Array.from({ length: 50 }, (_, i) => `c-gen-${String(i + 1).padStart(4, '0')}`);
  await acts.cleanPermissions({
    uid: ALICE_UID,
    target: alice,
    clusterIds: [...firstPage, 'c-prod-1', 'c-staging-1'],
    force: true,
  });
  const err = await failure(acts.verifyRevocation({ uid: ALICE_UID }));
  expect(err.type).toBe(FailureType.RevocationNotVerified);
  expect(err.message).toContain('c-gen-0051=Unexpired');
  expect(err.message).toContain('c-gen-0150=Unexpired');
});

test('item 3: a clean task that cannot be found is a failed clean (lost), neither pending nor done', async () => {
  const { acts } = await activitiesOver();
  const err = await failure(acts.awaitCleanTask({ taskId: `clean-user-permissions-${ALICE_UID}-000000000000` }));
  expect(err.type).toBe(FailureType.CleanTaskFailed);
  expect(err.message).toMatch(/cannot be found/);
  expect(err.nonRetryable).toBe(true);
});

test('item 5d: an HTTP 404 without an Alibaba error code is not NotFound, so a step whose goal is absence does not count it as done', async () => {
  expect(classifyFacts({ operation: 'GetUser', statusCode: 404, message: 'no Route matched with those values' })).toBe(
    FailureType.InvalidInput,
  );
  expect(classifyFacts({ operation: 'GetUser', code: 'InvalidAction.NotFound', statusCode: 404, message: 'x' })).toBe(
    FailureType.InvalidInput,
  );
  expect(classifyFacts({ operation: 'GetUser', code: 'EntityNotExist.User', statusCode: 404, message: 'x' })).toBe(
    FailureType.NotFound,
  );

  const { emulator, acts } = await activitiesOver();
  await setFaults(emulator, {
    rules: [{ action: 'DeleteLoginProfile', kind: 'foreign-error', statusCode: 404, body: 'json', count: 1 }],
  });
  const err = await failure(acts.blockConsoleLogin({ userName: 'alice' }));
  expect(err.type).toBe(FailureType.InvalidInput);
  expect(err.message).toMatch(/HTTP 404/);
  // The HTML page of a proxy is retryable Unavailable, never "already gone" either.
  await setFaults(emulator, {
    rules: [{ action: 'DeleteLoginProfile', kind: 'foreign-error', statusCode: 404, body: 'html', count: 1 }],
  });
  expect((await failure(acts.blockConsoleLogin({ userName: 'alice' }))).type).toBe(FailureType.Unavailable);
});
