/**
 * Fail closed on what the worker cannot see (issue 13, item 5): grants on clusters where the worker is not RBAC admin
 * are invisible to it, an answer that is not Alibaba's is not "not found", and a kubeconfig whose state is Unknown is
 * not revoked.
 */
import { OffboardingStage } from '../../common/stages';
import { decide, people } from '../support/trust';
import {
  journal,
  offboardInput,
  resetWorld,
  setClusterSwitches,
  setFaults,
  startOffboard,
  successes,
  waitForStage,
} from './harness';
import { limitWorkerAdminTo, outsideWorldOf } from './outside-changes';
import { useHarness } from './use-harness';

const h = useHarness('fail-closed-visibility');
beforeEach(() => resetWorld(h, ['alice', 'former-contractor']));

const CHANGES = /^(Update|Delete|Clean|Grant|Remove|Detach|Unbind|Create)/;

function workerUid(): string {
  const bot = h.emulator.fixture.users.find((u) => u.name === 'offboarding-bot');
  if (!bot) throw new Error('the fixture has no worker');
  return bot.id;
}

test('item 5a: verification blocks on a cluster where the worker is not RBAC admin, since its grants there are invisible', async () => {
  await limitWorkerAdminTo(outsideWorldOf(h.emulator), workerUid(), ['c-prod-1']);
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  const blocked = await waitForStage(handle, OffboardingStage.Blocked, 30_000, 'blocked');
  expect(blocked.blocked).toMatchObject({ step: 'verifyRevocation', failureType: 'UnverifiableCluster' });
  expect(blocked.blocked?.message).toContain('cannot verify cluster c-staging-1: the worker is not its RBAC admin');
  expect(blocked.blocked?.message).not.toContain('c-prod-1');
  await handle.terminate('test done');
});

test('item 5d: a bare HTTP 404 (not an Alibaba answer) is never "not found": the run blocks instead of treating alice as gone', async () => {
  await setFaults(h.emulator, {
    rules: [{ action: 'GetUser', kind: 'foreign-error', statusCode: 404, body: 'json', count: 1 }],
  });
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  const blocked = await waitForStage(handle, OffboardingStage.Blocked, 30_000, 'blocked');
  expect(blocked.blocked).toMatchObject({ step: 'inventory', failureType: 'InvalidInput' });
  expect(blocked.blocked?.message).toMatch(/HTTP 404/);
  // Nothing changed on the strength of that answer.
  expect((await journal(h.emulator)).filter((e) => CHANGES.test(e.action))).toEqual([]);

  await decide(h, handle, 'retry', { reason: 'endpoint fixed' }, people.dave);
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await handle.terminate('test done');
});

test('item 5e: a kubeconfig state Unknown is not revoked: the run blocks naming the cluster', async () => {
  await setClusterSwitches(h.emulator, 'c-prod-1', { certStatesUnknown: true });
  // A deleted identity whose only kubeconfig reads Unknown is not "no kubeconfig left".
  const gone = await startOffboard(h, offboardInput(h, 'former-contractor'));
  const goneBlocked = await waitForStage(gone.handle, OffboardingStage.Blocked, 30_000, 'blocked');
  expect(goneBlocked.blocked).toMatchObject({ step: 'verifyRevocation', failureType: 'UnverifiableCluster' });
  expect(goneBlocked.blocked?.message).toContain('cannot verify cluster c-prod-1');
  expect(goneBlocked.blocked?.message).toMatch(/Unknown/);
  expect(successes(await journal(h.emulator), 'CleanUserPermissions')).toHaveLength(1);
  await gone.handle.terminate('test done');

  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  const blocked = await waitForStage(handle, OffboardingStage.Blocked, 30_000, 'blocked');
  expect(blocked.blocked).toMatchObject({ step: 'verifyRevocation', failureType: 'UnverifiableCluster' });
  expect(blocked.blocked?.message).toContain('cannot verify cluster c-prod-1');
  await handle.terminate('test done');
});
