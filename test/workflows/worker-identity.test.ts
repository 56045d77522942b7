/**
 * The worker's own identity by principal id, not by name (issue 13 item 10): resolved once at start from its
 * credentials (STS GetCallerIdentity), checked against its configuration, and refused as a target whatever name it
 * goes by.
 */
import * as $ram from '@alicloud/ram20150501';
import { activitiesFromConfig, activityDepsFromConfig } from '../../activities/from-config';
import { OffboardingStage } from '../../common/stages';
import { loadWorkerConfig } from '../../config/worker';
import { journal, offboardInput, resetWorld, revokeInput, rootRam, startOffboard, startRevoke } from './harness';
import { useHarness } from './use-harness';

const h = useHarness('worker-identity');
beforeEach(() => resetWorld(h, ['ops-bot']));

const WORKER_UID = '2034000000000001';
const WRITES = /^(Clean|Update|Delete|Detach|Remove|Unbind|Attach|Create|Grant)/;

test('item 10: the worker renamed in RAM is still the worker: revoke and offboard of its new name are refused before any change', async () => {
  // Someone renames the worker's RAM user; its configuration still says user/offboarding-bot.
  await rootRam(h.emulator).updateUser(
    new $ram.UpdateUserRequest({ userName: 'offboarding-bot', newUserName: 'ops-bot' }),
  );
  const before = (await journal(h.emulator)).length;

  const revoke = await startRevoke(h, revokeInput(h, 'ops-bot'));
  const revoked = await revoke.handle.result();
  expect(revoked.stage).toBe(OffboardingStage.Refused);
  expect(revoked.outcome).toMatch(new RegExp(`worker's own identity \\(uid ${WORKER_UID}\\); nothing was changed`));

  const offboard = await startOffboard(h, offboardInput(h, 'ops-bot'));
  const offboarded = await offboard.handle.result();
  expect(offboarded.stage).toBe(OffboardingStage.Refused);
  expect(offboarded.outcome).toMatch(new RegExp(`uid ${WORKER_UID}`));

  const calls = (await journal(h.emulator)).slice(before);
  expect(calls.filter((e) => WRITES.test(e.action))).toEqual([]);
});

test('item 10: the worker resolves its principal at start and refuses credentials of another account or identity', async () => {
  const deps = await activityDepsFromConfig(h.config);
  expect(await deps.worker()).toMatchObject({
    uid: WORKER_UID,
    identity: 'user/offboarding-bot',
    accountId: h.accountId,
  });

  await expect(
    activitiesFromConfig(loadWorkerConfig({ ...h.env, OFFBOARD_ACCOUNT_ID: '1111111111111111' })),
  ).rejects.toThrow(/OFFBOARD_ACCOUNT_ID: .*credentials belong to account/);
  // The bot's key, configured as if it were carol's.
  const asCarol = { ...h.config, alibaba: { ...h.config.alibaba, workerIdentity: 'user/carol' } };
  await expect(activitiesFromConfig(asCarol)).rejects.toThrow(
    /OFFBOARD_WORKER_IDENTITY: user\/carol, but the credentials are user\/offboarding-bot \(uid 2034000000000001\)/,
  );
  // The account's root key is never the worker's.
  const root = h.emulator.fixture.account.rootAccessKeys[0];
  const asRoot = {
    ...h.config,
    alibaba: { ...h.config.alibaba, fixtureKey: { accessKeyId: root.id, accessKeySecret: root.secret } },
  };
  await expect(activitiesFromConfig(asRoot)).rejects.toThrow(/credentials are the root account's/);
});
