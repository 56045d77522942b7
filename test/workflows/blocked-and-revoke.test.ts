import { WorkflowUpdateFailedError } from '@temporalio/client';
import { OffboardingStage } from '../../common/stages';
import { decide, people } from '../support/trust';
import {
  emulatorState,
  journal,
  offboardInput,
  resetWorld,
  revokeInput,
  setFaults,
  setWorkerClusterAccess,
  startOffboard,
  startRevoke,
  successes,
  waitForStage,
} from './harness';
import { useHarness } from './use-harness';
import { recordHistory } from './record';

const h = useHarness('blocked-revoke');
beforeEach(() => resetWorld(h, ['alice', 'bob']));

test('access denied blocks the run (not failed, not retried forever); fixed, then retried, it completes', async () => {
  await setWorkerClusterAccess(h.emulator, false);
  const { handle, workflowId } = await startOffboard(h, offboardInput(h, 'alice'));
  const blocked = await waitForStage(handle, OffboardingStage.Blocked, 30_000, 'blocked');
  expect(blocked.blocked).toMatchObject({ failureType: 'AccessDenied' });
  expect(blocked.details).toMatch(
    /^Blocked since \d\d:\d\d UTC: \w+: [A-Za-z]+ denied \(StatusForbidden\) — fix the worker's permissions, then `offboard retry \S+`/,
  );
  expect(blocked.details).toContain(workflowId);

  // Non-retryable means one attempt, not a loop: the journal holds exactly one refused call of that step.
  const denied = (await journal(h.emulator)).filter((e) => e.statusCode === 403);
  expect(denied).toHaveLength(1);

  // Only admins may retry, and only a Blocked run.
  const outsider = await decide(h, handle, 'retry', {}, people.bob).catch((e) => e);
  expect(outsider).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(outsider.cause.type).toBe('MissingRole');

  await setWorkerClusterAccess(h.emulator, true);
  await decide(h, handle, 'retry', { reason: 'policy re-attached' }, people.carol);
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  const again = await decide(h, handle, 'retry', {}, people.carol).catch((e) => e);
  expect(again.cause.type).toBe('WrongStage');
  await decide(h, handle, 'approveDeletion', {}, people.dave);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Completed);
  expect(result.audit.some((e) => e.action.endsWith('blocked') && e.outcome === 'error')).toBe(true);
  await recordHistory('blocked-retry', handle);
});

test('a failed clean task blocks the run after quarantine; abort with restore puts access back', async () => {
  await setFaults(h.emulator, { rules: [{ action: 'CleanUserPermissions', kind: 'task-fail', count: 1 }] });
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  const blocked = await waitForStage(handle, OffboardingStage.Blocked, 30_000, 'blocked');
  expect(blocked.blocked).toMatchObject({ step: 'DescribeTaskInfo', failureType: 'CleanTaskFailed' });
  expect(blocked.compensations).toHaveLength(4);
  const noReason = await decide(h, handle, 'abort', { reason: '' }, people.carol).catch((e) => e);
  expect(noReason.cause.type).toBe('MissingReason');
  await decide(h, handle, 'abort', { reason: 'wrong ticket', restoreAccess: true }, people.carol);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Aborted);
  const state = await emulatorState(h.emulator);
  const alice = (
    state.users as Array<{ name: string; accessKeys: Array<{ status: string }>; loginProfile?: unknown }>
  ).find((u) => u.name === 'alice');
  expect(alice?.accessKeys.every((k) => k.status === 'Active')).toBe(true);
  expect(alice?.loginProfile).toBeDefined();
  expect(successes(await journal(h.emulator), 'GrantPermissions')).toHaveLength(1);
});

test('revokeKubeconfig: a leaked kubeconfig is revoked with Force and verified, nothing deleted, no approval', async () => {
  // No update is ever sent: the run reaches its end on its own (its speed is measured by npm run bench:happy-path).
  const { handle } = await startRevoke(h, revokeInput(h, 'bob'));
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Revoked);
  const entries = await journal(h.emulator);
  const clean = successes(entries, 'CleanUserPermissions');
  expect(clean).toHaveLength(1);
  expect(JSON.stringify(clean[0].params)).toMatch(/"Force":"?true/);
  // Only the name → uid lookup came before the clean.
  expect(entries.filter((e) => e.seq < clean[0].seq).map((e) => e.action)).toEqual(['GetUser']);
  expect(entries.filter((e) => /^(Delete|Update|Detach|Remove)/.test(e.action))).toEqual([]);
  await recordHistory('revoke-kubeconfig', handle);
});

test('revokeKubeconfig on named clusters cleans only those', async () => {
  const { handle } = await startRevoke(h, revokeInput(h, 'alice', { clusterIds: ['c-prod-1'] }));
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Revoked);
  const entries = await journal(h.emulator);
  expect(successes(entries, 'CleanClusterUserPermissions')).toHaveLength(1);
  expect(successes(entries, 'CleanUserPermissions')).toHaveLength(0);
  const state = await emulatorState(h.emulator);
  const kubeconfigs = (state.kubeconfigs as Record<string, Array<{ cluster: string; state: string }>>)[
    result.uid as string
  ];
  expect(Object.fromEntries(kubeconfigs.map((k) => [k.cluster, k.state]))).toEqual({
    'c-prod-1': 'Removed',
    'c-staging-1': 'Unexpired',
  });
});
